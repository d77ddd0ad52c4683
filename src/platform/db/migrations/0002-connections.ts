import type { Kysely, Migration } from 'kysely';
import { columnTypes, type Dialect } from '../dialect.js';

/** Model provider connections of organizations; operator-declared ones live in configuration, not here. */
export function connectionsMigration(dialect: Dialect): Migration {
  const type = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('connections')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('type', 'text', (column) => column.notNull())
        .addColumn('base_url', 'text')
        .addColumn('credentials', 'text')
        .addColumn('is_default', type.flag, (column) => column.notNull().defaultTo(0))
        .addColumn('access_mode', 'text', (column) => column.notNull())
        .addColumn('models', type.json, (column) => column.notNull())
        .addColumn('timeout_ms', 'integer', (column) => column.notNull())
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addColumn('updated_at', type.timestamp, (column) => column.notNull())
        .addUniqueConstraint('connections_org_name_unique', ['org_id', 'name'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('connections').ifExists().execute();
    },
  };
}
