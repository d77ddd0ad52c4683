import { type Kysely, type Migration, sql } from 'kysely';
import { columnTypes, type Dialect } from '../dialect.js';

/**
 * The knowledge index: chunks with their embeddings and a full-text index, the
 * collection settings the pipeline reads, the document lease the pipeline claims
 * work with, and the chunks an assistant message was given.
 */
export function knowledgeIndexMigration(dialect: Dialect): Migration {
  const type = columnTypes(dialect);
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<unknown>) {
      // The model a collection asks for (null: the platform default), and the model and length of the vectors it holds.
      await db.schema.alterTable('collections').addColumn('embedding_model', 'text').execute();
      await db.schema.alterTable('collections').addColumn('vectors_model', 'text').execute();
      await db.schema.alterTable('collections').addColumn('vectors_dimensions', 'integer').execute();
      await db.schema.alterTable('collections').addColumn('chunk_max_tokens', 'integer').execute();
      await db.schema.alterTable('collections').addColumn('chunk_overlap_tokens', 'integer').execute();
      // Bumped in the transaction of every change to the collection's chunks: search caches compare it.
      await db.schema
        .alterTable('collections')
        .addColumn('index_version', 'integer', (column) => column.notNull().defaultTo(0))
        .execute();

      // A pipeline worker's claim on a Queued document; an expired lease (a dead worker) is claimable again.
      await db.schema.alterTable('documents').addColumn('index_lease_until', type.timestamp).execute();
      await db.schema
        .alterTable('documents')
        .addColumn('index_attempts', 'integer', (column) => column.notNull().defaultTo(0))
        .execute();

      // The sweep's look-up of Queued documents nobody holds.
      await db.schema.createIndex('documents_queue_idx').on('documents').columns(['state', 'index_lease_until']).execute();

      const seq = dialect === 'postgres' ? 'bigserial' : 'integer';
      await db.schema
        .createTable('chunks')
        // A compact integer key: the full-text index and the in-memory vector index refer to chunks by it.
        .addColumn('seq', seq, (column) => (dialect === 'postgres' ? column.primaryKey() : column.primaryKey().autoIncrement()))
        .addColumn('org_id', 'text', (column) => column.notNull())
        .addColumn('collection_id', 'text', (column) => column.notNull().references('collections.id').onDelete('cascade'))
        .addColumn('document_id', 'text', (column) => column.notNull().references('documents.id').onDelete('cascade'))
        .addColumn('position', 'integer', (column) => column.notNull())
        .addColumn('content', 'text', (column) => column.notNull())
        .addColumn('token_count', 'integer', (column) => column.notNull())
        // JSON array of the headings above the chunk.
        .addColumn('headings', 'text', (column) => column.notNull())
        // float32 little-endian, unit length.
        .addColumn('embedding', bytes, (column) => column.notNull())
        // One sign bit per dimension: the in-memory index ranks by Hamming distance before rescoring exactly.
        .addColumn('signature', bytes, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('chunks_document_idx').on('chunks').columns(['document_id', 'position']).execute();
      await db.schema.createIndex('chunks_collection_idx').on('chunks').columns(['collection_id', 'seq']).execute();

      if (dialect === 'postgres') {
        await sql`alter table chunks add column search tsvector generated always as (to_tsvector('english', content)) stored`.execute(db);
        await sql`create index chunks_search_idx on chunks using gin (search)`.execute(db);
      } else {
        // Contentless FTS5 (the text lives once, in chunks), with a `scope` token per collection: a search
        // ranks within its collections inside the index, instead of ranking every match and filtering after.
        await sql`create virtual table chunks_fts using fts5(content, scope, content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2')`.execute(db);
        await sql`create trigger chunks_fts_insert after insert on chunks begin insert into chunks_fts(rowid, content, scope) values (new.seq, new.content, 'c' || replace(new.collection_id, '-', '')); end`.execute(db);
        await sql`create trigger chunks_fts_delete after delete on chunks begin delete from chunks_fts where rowid = old.seq; end`.execute(db);
      }

      // JSON array of the knowledge chunks a reply was given (document, name, score).
      await db.schema.alterTable('messages').addColumn('knowledge', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('messages').dropColumn('knowledge').execute();
      if (dialect === 'sqlite') await sql`drop table if exists chunks_fts`.execute(db);
      await db.schema.dropTable('chunks').ifExists().execute();
      for (const column of ['index_lease_until', 'index_attempts']) await db.schema.alterTable('documents').dropColumn(column).execute();
      for (const column of ['embedding_model', 'vectors_model', 'vectors_dimensions', 'chunk_max_tokens', 'chunk_overlap_tokens', 'index_version']) {
        await db.schema.alterTable('collections').dropColumn(column).execute();
      }
    },
  };
}
