import type { Kysely, Migration } from 'kysely';
import { columnTypes, type Dialect } from '../dialect.js';

/**
 * Agent files (Agent-key API): documents uploaded for one agent, kept with
 * their extracted text and, once added to the assistant, linked to the
 * knowledge document made of it in the agent's own collection.
 */
export function agentFilesMigration(dialect: Dialect): Migration {
  const type = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('agent_files')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('agent_id', 'text', (column) => column.notNull().references('ai_gateways.id').onDelete('cascade'))
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('mime_type', 'text', (column) => column.notNull())
        // bigint: the upload limit is a setting and may be raised past 2 GiB.
        .addColumn('size_bytes', 'bigint', (column) => column.notNull())
        .addColumn('blob_key', 'text', (column) => column.notNull())
        .addColumn('text', 'text', (column) => column.notNull())
        .addColumn('text_truncated', type.flag, (column) => column.notNull().defaultTo(0))
        // Set null when the collection or document goes (deleted, or the collection reset), so the file reads as not added.
        .addColumn('collection_id', 'text', (column) => column.references('collections.id').onDelete('set null'))
        .addColumn('document_id', 'text', (column) => column.references('documents.id').onDelete('set null'))
        .addColumn('created_by_key_id', 'text')
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addColumn('updated_at', type.timestamp, (column) => column.notNull())
        .execute();
      // The by-api-key list: one agent's files, newest first.
      await db.schema.createIndex('agent_files_agent_created_idx').on('agent_files').columns(['org_id', 'agent_id', 'created_at', 'id']).execute();
      // Foreign keys are not indexed by themselves: deleting a document or collection looks its files up by these.
      await db.schema.createIndex('agent_files_document_idx').on('agent_files').columns(['document_id']).execute();
      await db.schema.createIndex('agent_files_collection_idx').on('agent_files').columns(['collection_id']).execute();

      // The one collection each agent's files go to, created on first use; gone with the agent or the collection.
      await db.schema
        .createTable('agent_file_collections')
        .addColumn('org_id', 'text', (column) => column.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('agent_id', 'text', (column) => column.notNull().references('ai_gateways.id').onDelete('cascade'))
        .addColumn('collection_id', 'text', (column) => column.notNull().references('collections.id').onDelete('cascade'))
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addPrimaryKeyConstraint('agent_file_collections_pk', ['org_id', 'agent_id'])
        .execute();
      await db.schema.createIndex('agent_file_collections_collection_idx').on('agent_file_collections').columns(['collection_id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('agent_file_collections').ifExists().execute();
      await db.schema.dropTable('agent_files').ifExists().execute();
    },
  };
}
