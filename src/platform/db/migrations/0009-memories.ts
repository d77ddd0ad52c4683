import type { Kysely, Migration } from 'kysely';
import { columnTypes, type Dialect } from '../dialect.js';

/** Memories: what agents remember about an external user. */
export function memoriesMigration(dialect: Dialect): Migration {
  const type = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('memories')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull().references('organizations.id').onDelete('cascade'))
        // No foreign key: memories belong to the user and outlive the agent that wrote them.
        .addColumn('agent_id', 'text')
        .addColumn('external_user_id', 'text', (column) => column.notNull())
        .addColumn('format', 'text', (column) => column.notNull())
        .addColumn('content', 'text', (column) => column.notNull())
        .addColumn('expires_at', type.timestamp)
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addColumn('updated_at', type.timestamp, (column) => column.notNull())
        .execute();
      // Prompts read one user's memories on every turn; deletions go by user and format.
      await db.schema.createIndex('memories_org_user_idx').on('memories').columns(['org_id', 'external_user_id', 'format', 'created_at']).execute();
      await db.schema.createIndex('memories_org_created_idx').on('memories').columns(['org_id', 'created_at']).execute();
      // The purge job scans by expiry across organizations.
      await db.schema.createIndex('memories_expires_idx').on('memories').columns(['expires_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('memories').ifExists().execute();
    },
  };
}
