import type { Kysely, Migration } from 'kysely';
import { columnTypes, type Dialect } from '../dialect.js';

/** One row per model call, and the operator's switch that makes a balance binding. */
export function usageMigration(dialect: Dialect): Migration {
  const type = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('usage_records')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('key_id', 'text')
        .addColumn('gateway_id', 'text')
        .addColumn('connection', 'text', (column) => column.notNull())
        .addColumn('model', 'text', (column) => column.notNull())
        .addColumn('upstream_model', 'text', (column) => column.notNull())
        .addColumn('prompt_tokens', 'integer', (column) => column.notNull())
        .addColumn('completion_tokens', 'integer', (column) => column.notNull())
        .addColumn('cached_tokens', 'integer', (column) => column.notNull())
        .addColumn('cost', type.double, (column) => column.notNull())
        .addColumn('latency_ms', 'integer', (column) => column.notNull())
        .addColumn('ttft_ms', 'integer')
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('error_code', 'text')
        .addColumn('streamed', type.flag, (column) => column.notNull())
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('usage_records_org_time_idx').on('usage_records').columns(['org_id', 'created_at']).execute();
      // 0: the balance is informational; 1: the operator set it, so inference stops at zero.
      await db.schema.alterTable('organizations').addColumn('balance_limited', type.flag, (column) => column.notNull().defaultTo(0)).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('usage_records').ifExists().execute();
      await db.schema.alterTable('organizations').dropColumn('balance_limited').execute();
    },
  };
}
