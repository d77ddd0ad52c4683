import type { Kysely, Migration } from 'kysely';
import { columnTypes, type Dialect } from '../dialect.js';

/** Organizations, API keys, the audit log and the job queue. */
export function foundationMigration(dialect: Dialect): Migration {
  const type = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('organizations')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('salt', 'text', (column) => column.notNull())
        .addColumn('parameters', type.json, (column) => column.notNull())
        .addColumn('balance', type.double, (column) => column.notNull().defaultTo(0))
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addColumn('updated_at', type.timestamp, (column) => column.notNull())
        .execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('agent_id', 'text')
        .addColumn('label', 'text', (column) => column.notNull())
        .addColumn('key_hash', 'text', (column) => column.notNull().unique())
        .addColumn('last_chars', 'text', (column) => column.notNull())
        .addColumn('expires_at', type.timestamp)
        .addColumn('used_at', type.timestamp)
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('api_keys_org_idx').on('api_keys').columns(['org_id', 'agent_id']).execute();

      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('correlation_id', 'text', (column) => column.notNull())
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addColumn('actor_key_id', 'text')
        .addColumn('actor_label', 'text')
        .addColumn('entity_type', 'text', (column) => column.notNull())
        .addColumn('entity_id', 'text', (column) => column.notNull())
        .addColumn('change_type', 'text', (column) => column.notNull())
        .addColumn('changes', type.json)
        .execute();
      await db.schema.createIndex('audit_events_org_time_idx').on('audit_events').columns(['org_id', 'created_at']).execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('payload', type.json, (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (column) => column.notNull())
        .addColumn('run_at', type.timestamp, (column) => column.notNull())
        .addColumn('lease_expires_at', type.timestamp)
        .addColumn('locked_by', 'text')
        .addColumn('last_error', 'text')
        .addColumn('idempotency_key', 'text')
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addColumn('updated_at', type.timestamp, (column) => column.notNull())
        .addColumn('finished_at', type.timestamp)
        .addUniqueConstraint('jobs_idempotency_unique', ['name', 'idempotency_key'])
        .execute();
      await db.schema.createIndex('jobs_due_idx').on('jobs').columns(['status', 'run_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['jobs', 'audit_events', 'api_keys', 'organizations']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
