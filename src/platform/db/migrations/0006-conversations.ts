import type { Kysely, Migration } from 'kysely';
import { columnTypes, type Dialect } from '../dialect.js';

/**
 * Agents' descriptive profile (what the Organization and Agent-key contracts
 * show beside the gateway parameters), and conversations with their messages
 * and turns.
 */
export function conversationsMigration(dialect: Dialect): Migration {
  const type = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('ai_gateways').addColumn('profile', type.json, (column) => column.notNull().defaultTo('{}')).execute();

      await db.schema
        .createTable('conversations')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('agent_id', 'text', (column) => column.notNull().references('ai_gateways.id').onDelete('cascade'))
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('external_user_id', 'text')
        .addColumn('external_user_name', 'text')
        .addColumn('user_identifiers', type.json, (column) => column.notNull())
        .addColumn('channel', 'text', (column) => column.notNull())
        .addColumn('metadata', type.json, (column) => column.notNull())
        .addColumn('extra_context', 'text')
        .addColumn('status', 'text', (column) => column.notNull())
        // The last message sequence number handed out; messages are numbered in turn order.
        .addColumn('last_seq', 'integer', (column) => column.notNull())
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addColumn('updated_at', type.timestamp, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('conversations_org_agent_idx').on('conversations').columns(['org_id', 'agent_id', 'id']).execute();
      await db.schema
        .createIndex('conversations_org_agent_user_idx')
        .on('conversations')
        .columns(['org_id', 'agent_id', 'external_user_id'])
        .execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull())
        .addColumn('conversation_id', 'text', (column) => column.notNull().references('conversations.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (column) => column.notNull())
        .addColumn('turn_id', 'text')
        .addColumn('role', 'text', (column) => column.notNull())
        .addColumn('content', 'text', (column) => column.notNull())
        .addColumn('parts', type.json)
        .addColumn('tool_calls', type.json)
        .addColumn('tool_call_id', 'text')
        .addColumn('file_ids', type.json)
        .addColumn('model', 'text')
        .addColumn('usage', type.json)
        .addColumn('latency_ms', 'integer')
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('error', type.json)
        .addColumn('feedback', type.json)
        // ceil(characters / 4) + 4, kept so the context window is sized without reading the contents.
        .addColumn('token_estimate', 'integer', (column) => column.notNull())
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addColumn('updated_at', type.timestamp, (column) => column.notNull())
        .addUniqueConstraint('messages_conversation_seq_unique', ['conversation_id', 'seq'])
        .execute();

      await db.schema
        .createTable('turns')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull())
        .addColumn('conversation_id', 'text', (column) => column.notNull().references('conversations.id').onDelete('cascade'))
        .addColumn('user_message_id', 'text', (column) => column.notNull())
        .addColumn('assistant_message_id', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('cancel_requested', type.flag, (column) => column.notNull().defaultTo(0))
        .addColumn('error', type.json)
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addColumn('updated_at', type.timestamp, (column) => column.notNull())
        .addColumn('finished_at', type.timestamp)
        .execute();
      await db.schema.createIndex('turns_conversation_idx').on('turns').columns(['conversation_id', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('turns').ifExists().execute();
      await db.schema.dropTable('messages').ifExists().execute();
      await db.schema.dropTable('conversations').ifExists().execute();
      await db.schema.alterTable('ai_gateways').dropColumn('profile').execute();
    },
  };
}
