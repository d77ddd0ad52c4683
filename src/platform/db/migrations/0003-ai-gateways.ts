import type { Kysely, Migration } from 'kysely';
import { columnTypes, type Dialect } from '../dialect.js';

/** AI gateways: a model with its settings, addressed by id (or slug) as a `/v1` model. */
export function aiGatewaysMigration(dialect: Dialect): Migration {
  const type = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('ai_gateways')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('slug', 'text', (column) => column.notNull())
        .addColumn('parameters', type.json, (column) => column.notNull())
        .addColumn('api_key', 'text')
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addColumn('updated_at', type.timestamp, (column) => column.notNull())
        .addUniqueConstraint('ai_gateways_org_slug_unique', ['org_id', 'slug'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('ai_gateways').ifExists().execute();
    },
  };
}
