import { type Insertable, sql } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { ChunksTable } from './knowledge.table.js';

export type NewChunk = Insertable<ChunksTable>;

/** Marks the collection's chunks as changed; in the transaction that changes them. */
export async function bumpIndexVersion(db: DatabaseHandle, collectionId: string): Promise<void> {
  await db
    .updateTable('collections')
    .set({ index_version: sql<number>`index_version + 1` })
    .where('id', '=', collectionId)
    .execute();
}

export async function deleteCollectionChunks(db: DatabaseHandle, collectionId: string): Promise<void> {
  await db.deleteFrom('chunks').where('collection_id', '=', collectionId).execute();
}

/** Rows per INSERT: 11 parameters each, well under both dialects' parameter limits. */
const INSERT_BATCH = 200;

/** Replaces a document's chunks; the caller's transaction makes the swap atomic for readers. */
export async function replaceDocumentChunks(db: DatabaseHandle, documentId: string, chunks: readonly NewChunk[]): Promise<void> {
  await db.deleteFrom('chunks').where('document_id', '=', documentId).execute();
  for (let start = 0; start < chunks.length; start += INSERT_BATCH) {
    await db
      .insertInto('chunks')
      .values(chunks.slice(start, start + INSERT_BATCH))
      .execute();
  }
}

export interface ChunkSignatureRow {
  readonly seq: number;
  readonly signature: Uint8Array;
}

/** Every chunk's sign bits in the collection, in seq order, for the in-memory pre-ranking. */
export async function listCollectionSignatures(db: DatabaseHandle, collectionId: string): Promise<ChunkSignatureRow[]> {
  const rows = await db
    .selectFrom('chunks')
    .select(['seq', 'signature'])
    .where('collection_id', '=', collectionId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({ seq: Number(row.seq), signature: row.signature }));
}

export interface ChunkEmbeddingRow {
  readonly seq: number;
  readonly embedding: Uint8Array;
}

export async function findChunkEmbeddings(db: DatabaseHandle, orgId: string, seqs: readonly number[]): Promise<ChunkEmbeddingRow[]> {
  if (seqs.length === 0) return [];
  const rows = await db.selectFrom('chunks').select(['seq', 'embedding']).where('org_id', '=', orgId).where('seq', 'in', [...seqs]).execute();
  return rows.map((row) => ({ seq: Number(row.seq), embedding: row.embedding }));
}

export interface ChunkHitRow {
  readonly seq: number;
  readonly collection_id: string;
  readonly document_id: string;
  readonly position: number;
  readonly content: string;
  readonly headings: string;
  readonly document_name: string;
  readonly reference: string | null;
  readonly metadata: unknown;
}

export async function findChunkHits(db: DatabaseHandle, orgId: string, seqs: readonly number[]): Promise<ChunkHitRow[]> {
  if (seqs.length === 0) return [];
  const rows = await db
    .selectFrom('chunks')
    .innerJoin('documents', 'documents.id', 'chunks.document_id')
    .select([
      'chunks.seq',
      'chunks.collection_id',
      'chunks.document_id',
      'chunks.position',
      'chunks.content',
      'chunks.headings',
      'documents.name as document_name',
      'documents.reference',
      'documents.metadata',
    ])
    .where('chunks.org_id', '=', orgId)
    .where('chunks.seq', 'in', [...seqs])
    .execute();
  return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
}

export interface ReferencedDocumentRow {
  readonly id: string;
  readonly collection_id: string;
  readonly reference: string | null;
  readonly contents: string;
}

/** The documents sharing each (collection, reference) pair, at most `limit` per pair, oldest first. */
export async function findReferencedDocuments(
  db: DatabaseHandle,
  orgId: string,
  pairs: readonly { collectionId: string; reference: string }[],
  limit: number,
): Promise<ReferencedDocumentRow[]> {
  if (pairs.length === 0) return [];
  const rows = await db
    .selectFrom('documents')
    .select(['id', 'collection_id', 'reference', 'contents'])
    .where('org_id', '=', orgId)
    .where((eb) => eb.or(pairs.map((pair) => eb.and([eb('collection_id', '=', pair.collectionId), eb('reference', '=', pair.reference)]))))
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit * pairs.length)
    .execute();
  return rows;
}
