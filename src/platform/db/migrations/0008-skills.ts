import type { Kysely, Migration } from 'kysely';
import { columnTypes, type Dialect } from '../dialect.js';

/** Skills: instructions an agent loads on demand. */
export function skillsMigration(dialect: Dialect): Migration {
  const type = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('skills')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('slug', 'text', (column) => column.notNull())
        .addColumn('description', 'text')
        .addColumn('instructions', 'text', (column) => column.notNull())
        .addColumn('instruction_sources', type.json, (column) => column.notNull())
        .addColumn('allowed_tools_names', type.json, (column) => column.notNull())
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addColumn('updated_at', type.timestamp, (column) => column.notNull())
        // Also the index behind listing, export paging and slug look-ups, all of which go by (org_id, slug).
        .addUniqueConstraint('skills_org_slug_unique', ['org_id', 'slug'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('skills').ifExists().execute();
    },
  };
}
