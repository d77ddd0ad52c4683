import type { DatabaseHandle } from '../../../platform/db/database.js';
import type { Dialect } from '../../../platform/db/dialect.js';
import { nowIso } from '../../../platform/db/dialect.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { IndexBatchFigures } from '../../../platform/metrics/metrics.js';
import { type Chunk, chunkDocument } from '../chunking/index.js';
import { bumpIndexVersion, type NewChunk, replaceDocumentChunks } from '../chunk.repository.js';
import { chunkSettings, effectiveEmbeddingModel } from '../collection-record.js';
import type { CollectionRow } from '../collection.repository.js';
import type { Embedder } from '../embeddings/index.js';
import { embeddingBytes, signatureBytes } from './vector-encoding.js';

export interface EmbedderSource {
  forModel(orgId: string, model: string): Promise<Embedder>;
}

export interface DocumentIndexerOptions {
  readonly db: DatabaseHandle;
  readonly dialect: Dialect;
  readonly embedders: EmbedderSource;
  readonly defaultModel: string;
  readonly logger: Logger;
  /** How long a claim on a document lasts; a worker that dies releases its documents when it ends. */
  readonly leaseMs: number;
  /** Documents claimed and embedded together. */
  readonly batchSize?: number;
  /** Failed attempts after which a document is marked Failed. */
  readonly maxAttempts?: number;
  /** The first wait before a failed document is tried again; doubles per attempt. */
  readonly retryBaseMs?: number;
  /** Told about every batch written (for metrics). */
  readonly onBatch?: (figures: IndexBatchFigures) => void;
}

export interface IndexRunResult {
  readonly indexed: number;
  readonly failed: number;
  /** True when the run stopped at its budget with claimable documents possibly left. */
  readonly more: boolean;
}

interface ClaimedDocument {
  readonly id: string;
  readonly revision: number;
  readonly contents: string;
  readonly index_attempts: number;
}

interface PreparedDocument {
  readonly document: ClaimedDocument;
  readonly chunks: readonly Chunk[];
  /** One per chunk; undefined when embedding failed. */
  readonly vectors: readonly Float32Array[] | undefined;
  readonly error?: string;
}

interface PreparedBatch {
  readonly model: string;
  readonly documents: readonly PreparedDocument[];
  readonly embedSeconds: number;
  /** Stops renewing the batch's lease; called once it is written. */
  readonly release: () => void;
}

const DEFAULT_BATCH_SIZE = 32;
const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_RETRY_BASE_MS = 5_000;

/** What the model embeds for a chunk: its headings give a section's chunks their topic. */
export function embeddingText(chunk: Chunk): string {
  return chunk.headings.length === 0 ? chunk.content : `${chunk.headings.join(' > ')}\n${chunk.content}`;
}

/**
 * The indexing pipeline for one collection: claims Queued documents under a lease,
 * chunks and embeds them off the event loop, and swaps each document's chunks in
 * one transaction that only commits if the document still has the revision that
 * was embedded. Claiming the next batch and embedding it overlap with writing the
 * previous one, so the embedding worker and the database stay busy together.
 */
export class DocumentIndexer {
  private readonly batchSize: number;
  private readonly maxAttempts: number;

  constructor(private readonly options: DocumentIndexerOptions) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  /** Indexes claimable documents of the collection until none are left or `maxDocuments` were handled. */
  async indexCollection(orgId: string, collectionId: string, options: { maxDocuments: number; signal: AbortSignal }): Promise<IndexRunResult> {
    let indexed = 0;
    let failed = 0;
    let handled = 0;
    let next = this.prepare(orgId, collectionId, options.signal);
    try {
      for (;;) {
        const batch = await next;
        if (!batch) return { indexed, failed, more: false };
        handled += batch.documents.length;
        const budgetLeft = handled < options.maxDocuments && !options.signal.aborted;
        next = budgetLeft ? this.prepare(orgId, collectionId, options.signal) : Promise.resolve(undefined);
        // A failed prepare must not surface as an unhandled rejection while this batch is written.
        next.catch(() => undefined);
        const written = await this.write(orgId, collectionId, batch);
        indexed += written.indexed;
        failed += written.failed;
        if (!budgetLeft) return { indexed, failed, more: true };
      }
    } catch (error) {
      // A batch prepared ahead and never written stops renewing its lease, so another run can take it.
      (await next.catch(() => undefined))?.release();
      throw error;
    }
  }

  private async prepare(orgId: string, collectionId: string, signal: AbortSignal): Promise<PreparedBatch | undefined> {
    const collection = await this.options.db
      .selectFrom('collections')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', collectionId)
      .executeTakeFirst();
    if (!collection) return undefined;
    const claimed = await this.claim(orgId, collectionId);
    if (claimed.length === 0) return undefined;
    const release = this.keepLeased(claimed.map((document) => document.id));
    try {
      const model = effectiveEmbeddingModel(collection, this.options.defaultModel);
      const settings = chunkSettings(collection);
      const chunked = claimed.map((document) => ({ document, chunks: chunkDocument(document.contents, settings) }));
      const embedStarted = performance.now();
      const documents = await this.embed(orgId, model, chunked, signal);
      return { model, documents, embedSeconds: (performance.now() - embedStarted) / 1000, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /**
   * Renews the lease on documents being embedded and written, every third of its
   * length, so a slow provider never lets another worker embed them a second time.
   * A worker that dies stops renewing, and its documents are free once the lease runs out.
   */
  private keepLeased(ids: readonly string[]): () => void {
    const timer = setInterval(() => {
      const until = new Date(Date.now() + this.options.leaseMs).toISOString();
      this.options.db
        .updateTable('documents')
        .set({ index_lease_until: until })
        .where('id', 'in', [...ids])
        .where('state', '=', 'Queued')
        .where('index_lease_until', 'is not', null)
        .execute()
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not renew an indexing lease'));
    }, Math.max(250, Math.floor(this.options.leaseMs / 3)));
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Takes a lease on up to one batch of the collection's Queued documents nobody holds. */
  private async claim(orgId: string, collectionId: string): Promise<ClaimedDocument[]> {
    const now = nowIso();
    const leaseUntil = new Date(Date.now() + this.options.leaseMs).toISOString();
    return this.options.db.transaction().execute(async (transaction) => {
      let candidates = transaction
        .selectFrom('documents')
        .select(['id', 'revision', 'contents', 'index_attempts'])
        .where('org_id', '=', orgId)
        .where('collection_id', '=', collectionId)
        .where('state', '=', 'Queued')
        .where((eb) => eb.or([eb('index_lease_until', 'is', null), eb('index_lease_until', '<', now)]))
        .orderBy('created_at')
        .orderBy('id')
        .limit(this.batchSize);
      // Two workers never claim the same document; each skips rows the other is claiming.
      if (this.options.dialect === 'postgres') candidates = candidates.forUpdate().skipLocked();
      const rows = await candidates.execute();
      if (rows.length === 0) return [];
      await transaction
        .updateTable('documents')
        .set({ index_lease_until: leaseUntil })
        .where(
          'id',
          'in',
          rows.map((row) => row.id),
        )
        .execute();
      return rows.map((row) => ({ ...row, revision: Number(row.revision), index_attempts: Number(row.index_attempts) }));
    });
  }

  /**
   * Embeds every chunk of the batch in one call. If that fails, each document is
   * embedded on its own, so one document the provider rejects fails alone.
   */
  private async embed(
    orgId: string,
    model: string,
    chunked: readonly { document: ClaimedDocument; chunks: readonly Chunk[] }[],
    signal: AbortSignal,
  ): Promise<PreparedDocument[]> {
    let embedder: Embedder;
    try {
      embedder = await this.options.embedders.forModel(orgId, model);
    } catch (error) {
      return chunked.map((entry) => ({ ...entry, vectors: undefined, error: messageOf(error) }));
    }
    const texts = chunked.flatMap((entry) => entry.chunks.map(embeddingText));
    if (texts.length === 0) return chunked.map((entry) => ({ ...entry, vectors: [] }));
    try {
      const vectors = await embedder.embed(texts, signal);
      let offset = 0;
      return chunked.map((entry) => {
        const own = vectors.slice(offset, offset + entry.chunks.length);
        offset += entry.chunks.length;
        return { ...entry, vectors: own };
      });
    } catch (error) {
      if (signal.aborted || chunked.length === 1) return chunked.map((entry) => ({ ...entry, vectors: undefined, error: messageOf(error) }));
      const alone: PreparedDocument[] = [];
      for (const entry of chunked) {
        try {
          alone.push({ ...entry, vectors: entry.chunks.length === 0 ? [] : await embedder.embed(entry.chunks.map(embeddingText), signal) });
        } catch (single) {
          alone.push({ ...entry, vectors: undefined, error: messageOf(single) });
        }
      }
      return alone;
    }
  }

  private async write(orgId: string, collectionId: string, batch: PreparedBatch): Promise<{ indexed: number; failed: number }> {
    try {
      return await this.writeBatch(orgId, collectionId, batch);
    } finally {
      batch.release();
    }
  }

  private async writeBatch(orgId: string, collectionId: string, batch: PreparedBatch): Promise<{ indexed: number; failed: number }> {
    const now = nowIso();
    const writeStarted = performance.now();
    let indexed = 0;
    let failed = 0;
    let chunks = 0;
    await this.options.db.transaction().execute(async (transaction) => {
      const collection = await transaction
        .selectFrom('collections')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', collectionId)
        .executeTakeFirst();
      if (!collection) return;
      // The collection's model changed while this batch was embedded: its vectors would not compare; the documents were re-queued.
      if (effectiveEmbeddingModel(collection, this.options.defaultModel) !== batch.model) return;
      let dimensions = collection.vectors_dimensions;
      for (const prepared of batch.documents) {
        if (!prepared.vectors) {
          if (await this.recordFailure(transaction, prepared)) failed += 1;
          continue;
        }
        const length = prepared.vectors[0]?.length;
        if (length !== undefined && dimensions !== null && length !== dimensions) {
          await this.recordFailure(transaction, { ...prepared, error: `the model returned ${length} dimensions; the collection holds ${dimensions}` });
          failed += 1;
          continue;
        }
        // The guard: only the revision that was embedded, and only while it is still Queued (not deleted, not re-queued).
        const result = await transaction
          .updateTable('documents')
          .set({ state: 'Indexed', indexed_at: now, state_reason: null, index_lease_until: null, index_attempts: 0 })
          .where('id', '=', prepared.document.id)
          .where('revision', '=', prepared.document.revision)
          .where('state', '=', 'Queued')
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) continue;
        await replaceDocumentChunks(transaction, prepared.document.id, chunkRows(orgId, collectionId, prepared));
        chunks += prepared.chunks.length;
        dimensions ??= length ?? null;
        indexed += 1;
      }
      if (indexed === 0) return;
      await this.recordVectors(transaction, collection, batch.model, dimensions);
      await bumpIndexVersion(transaction, collectionId);
    });
    if (failed > 0) this.options.logger.warn({ collectionId, failed }, 'documents failed to index');
    this.options.onBatch?.({ indexed, failed, chunks, embedSeconds: batch.embedSeconds, writeSeconds: (performance.now() - writeStarted) / 1000 });
    return { indexed, failed };
  }

  private async recordVectors(transaction: DatabaseHandle, collection: CollectionRow, model: string, dimensions: number | null): Promise<void> {
    if (collection.vectors_model === model && collection.vectors_dimensions === dimensions) return;
    await transaction
      .updateTable('collections')
      .set({ vectors_model: model, vectors_dimensions: dimensions })
      .where('id', '=', collection.id)
      .execute();
  }

  /** A retry later with backoff (the lease is pushed out), or Failed once attempts run out. True when it became Failed. */
  private async recordFailure(transaction: DatabaseHandle, prepared: PreparedDocument): Promise<boolean> {
    const attempts = prepared.document.index_attempts + 1;
    const reason = `Embedding failed (attempt ${attempts} of ${this.maxAttempts}): ${prepared.error ?? 'unknown error'}`.slice(0, 2000);
    const final = attempts >= this.maxAttempts;
    const retryBaseMs = this.options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
    const retryAt = new Date(Date.now() + retryBaseMs * 2 ** (attempts - 1) * (0.8 + 0.4 * Math.random())).toISOString();
    const result = await transaction
      .updateTable('documents')
      .set({
        state: final ? 'Failed' : 'Queued',
        state_reason: reason,
        index_attempts: attempts,
        index_lease_until: final ? null : retryAt,
      })
      .where('id', '=', prepared.document.id)
      .where('revision', '=', prepared.document.revision)
      .where('state', '=', 'Queued')
      .executeTakeFirst();
    return final && Number(result.numUpdatedRows) === 1;
  }
}

function chunkRows(orgId: string, collectionId: string, prepared: PreparedDocument): NewChunk[] {
  const vectors = prepared.vectors ?? [];
  return prepared.chunks.map((chunk, index) => {
    const vector = vectors[index];
    if (!vector) throw new Error(`chunk ${index} of document ${prepared.document.id} has no vector`);
    return {
      org_id: orgId,
      collection_id: collectionId,
      document_id: prepared.document.id,
      position: chunk.position,
      content: chunk.content,
      token_count: chunk.tokenCount,
      headings: JSON.stringify(chunk.headings),
      embedding: embeddingBytes(vector),
      signature: signatureBytes(vector),
    };
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
