import type { Kysely, Migration } from 'kysely';
import { columnTypes, type Dialect } from '../dialect.js';

/**
 * Knowledge: collections and their documents. Documents keep their full text,
 * a content hash and an index state so the indexing pipeline (chunks,
 * embeddings, full text) can be added as new tables keyed by document id.
 */
export function knowledgeMigration(dialect: Dialect): Migration {
  const type = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('collections')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('context', 'text')
        // Plain text holding a JSON array on both dialects, like documents.tags.
        .addColumn('tags', 'text', (column) => column.notNull())
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addColumn('updated_at', type.timestamp, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('collections_org_created_idx').on('collections').columns(['org_id', 'created_at', 'id']).execute();

      await db.schema
        .createTable('documents')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('collection_id', 'text', (column) => column.notNull().references('collections.id').onDelete('cascade'))
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('reference', 'text')
        .addColumn('contents', 'text', (column) => column.notNull())
        .addColumn('content_hash', 'text', (column) => column.notNull())
        // Text, not json/jsonb: the tag filter is one LIKE that behaves the same on both dialects.
        .addColumn('tags', 'text', (column) => column.notNull())
        .addColumn('metadata', type.json, (column) => column.notNull())
        .addColumn('state', 'text', (column) => column.notNull())
        .addColumn('state_reason', 'text')
        // Bumped whenever the contents change or a re-index is asked for, so an indexing job that finishes late cannot mark newer contents Indexed.
        .addColumn('revision', 'integer', (column) => column.notNull())
        .addColumn('character_count', 'integer', (column) => column.notNull())
        .addColumn('word_count', 'integer', (column) => column.notNull())
        .addColumn('approximate_token_count', 'integer', (column) => column.notNull())
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addColumn('updated_at', type.timestamp, (column) => column.notNull())
        .addColumn('indexed_at', type.timestamp)
        // Upserts go by name; also the index behind name look-ups during imports.
        .addUniqueConstraint('documents_collection_name_unique', ['collection_id', 'name'])
        .execute();
      await db.schema.createIndex('documents_collection_created_idx').on('documents').columns(['collection_id', 'created_at', 'id']).execute();
      // Collection state counts and the future pipeline's "next queued document" read by state.
      await db.schema.createIndex('documents_collection_state_idx').on('documents').columns(['collection_id', 'state']).execute();
      await db.schema.createIndex('documents_collection_reference_idx').on('documents').columns(['collection_id', 'reference']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('documents').ifExists().execute();
      await db.schema.dropTable('collections').ifExists().execute();
    },
  };
}
