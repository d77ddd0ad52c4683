export interface CollectionsTable {
  id: string;
  org_id: string;
  name: string;
  /** What the collection is about; shown to agents with its results. */
  context: string | null;
  /** JSON text of the collection's tags. */
  tags: string;
  created_at: string;
  updated_at: string;
}

export type DocumentState = 'Queued' | 'Indexed' | 'Cancelled';

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
}
