import type { Kysely, Migration } from 'kysely';
import { columnTypes, type Dialect } from '../dialect.js';

/** Per-key limits, and the counters that enforce limits across every node. */
export function limitsMigration(dialect: Dialect): Migration {
  const type = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('api_keys').addColumn('requests_per_minute', 'integer').execute();
      await db.schema.alterTable('api_keys').addColumn('tokens_per_day', 'integer').execute();
      await db.schema
        .createTable('rate_counters')
        .addColumn('scope', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('window_start', type.timestamp, (column) => column.notNull())
        .addColumn('count', 'bigint', (column) => column.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('rate_counters').ifExists().execute();
      await db.schema.alterTable('api_keys').dropColumn('tokens_per_day').execute();
      await db.schema.alterTable('api_keys').dropColumn('requests_per_minute').execute();
    },
  };
}
