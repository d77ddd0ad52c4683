import type { Generated } from 'kysely';

export interface CollectionsTable {
  id: string;
  org_id: string;
  name: string;
  /** What the collection is about; shown to agents with its results. */
  context: string | null;
  /** JSON text of the collection's tags. */
  tags: string;
  /** The embedding model asked for (`local` or `<connection>:<model>`); null follows the platform default. */
  embedding_model: string | null;
  /** The model and vector length of the chunks the collection holds; null before its first indexed document. */
  vectors_model: string | null;
  vectors_dimensions: number | null;
  chunk_max_tokens: number | null;
  chunk_overlap_tokens: number | null;
  /** Bumped with every change to the collection's chunks, so search caches know when to reload. */
  index_version: Generated<number>;
  created_at: string;
  updated_at: string;
}

/** `Failed`: the pipeline gave up after its retries; `state_reason` says why. */
export type DocumentState = 'Queued' | 'Indexed' | 'Cancelled' | 'Failed';

export interface DocumentsTable {
  id: string;
  org_id: string;
  collection_id: string;
  /** Unique in the collection: upserts find a document by it. */
  name: string;
  /** Groups documents cut from one source (for example the sections of a file). */
  reference: string | null;
  contents: string;
  /** SHA-256 of `contents`, hex: an upsert with the same hash is not re-indexed. */
  content_hash: string;
  /** JSON text of the document's tags, without quotes or backslashes in any tag. */
  tags: string;
  /** JSON text of an object. */
  metadata: string;
  state: DocumentState;
  /** Why the document is in its state, when that needs saying (a failed indexing). */
  state_reason: string | null;
  revision: number;
  character_count: number;
  word_count: number;
  approximate_token_count: number;
  created_at: string;
  updated_at: string;
  indexed_at: string | null;
  /** Until when a pipeline worker holds the document; null when nobody does. */
  index_lease_until: string | null;
  /** Failed indexing attempts of the current revision. */
  index_attempts: Generated<number>;
}

export interface ChunksTable {
  seq: Generated<number>;
  org_id: string;
  collection_id: string;
  document_id: string;
  position: number;
  content: string;
  token_count: number;
  /** JSON array of the headings above the chunk. */
  headings: string;
  /** float32 little-endian, unit length. */
  embedding: Uint8Array;
  /** One sign bit per dimension, for the in-memory Hamming pre-ranking. */
  signature: Uint8Array;
}
