import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Indexes measured on the agent turn path (bench/agent-turn.ts): the history
 * window reads sizes from the index alone, and finding a conversation's
 * unfinished turns no longer walks all of its turns.
 */
export function conversationIndexesMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('messages_window_idx')
        .on('messages')
        .columns(['conversation_id', 'seq', 'org_id', 'token_estimate', 'status'])
        .execute();
      await db.schema.createIndex('turns_conversation_status_idx').on('turns').columns(['conversation_id', 'status']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('turns_conversation_status_idx').ifExists().execute();
      await db.schema.dropIndex('messages_window_idx').ifExists().execute();
    },
  };
}
