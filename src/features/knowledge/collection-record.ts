import type { CollectionRow } from './collection.repository.js';
import type {
  CollectionView,
  CreateCollectionInput,
  DataSourceCollection,
  DataSourceCollectionInput,
  UpdateCollectionInput,
  UpdateDataSourceCollectionInput,
} from './collection.schemas.js';
import type { DocumentState } from './knowledge.table.js';

/** A collection as the service hands it to every contract, which renames its fields. */
export interface Collection {
  readonly id: string;
  readonly name: string;
  readonly context: string | null;
  readonly tags: string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly documents: {
    readonly total: number;
    readonly indexed: number;
    readonly queued: number;
    readonly cancelled: number;
    readonly failed: number;
  };
  /** The model the collection is (or will be) embedded with. */
  readonly embeddingModel: string;
  readonly embeddingDimensions: number | null;
  readonly chunkSize: number;
  readonly chunkOverlap: number;
}

export const DEFAULT_CHUNK_SIZE = 256;
export const DEFAULT_CHUNK_OVERLAP = 32;

/** The model new chunks are embedded with: the collection's own choice, else the one its vectors have, else the platform's. */
export function effectiveEmbeddingModel(row: Pick<CollectionRow, 'embedding_model' | 'vectors_model'>, defaultModel: string): string {
  return row.embedding_model ?? row.vectors_model ?? defaultModel;
}

export function chunkSettings(row: Pick<CollectionRow, 'chunk_max_tokens' | 'chunk_overlap_tokens'>): { maxTokens: number; overlapTokens: number } {
  const maxTokens = row.chunk_max_tokens ?? DEFAULT_CHUNK_SIZE;
  return { maxTokens, overlapTokens: Math.min(row.chunk_overlap_tokens ?? DEFAULT_CHUNK_OVERLAP, Math.ceil(maxTokens / 2) - 1) };
}

/** What a create or an update sets; for an update, `undefined` keeps the stored value. */
export interface CollectionChanges {
  readonly name?: string | undefined;
  readonly context?: string | null | undefined;
  readonly tags?: string[] | undefined;
  readonly embeddingModel?: string | null | undefined;
  readonly chunkSize?: number | null | undefined;
  readonly chunkOverlap?: number | null | undefined;
}

/** Trimmed, empty ones dropped, each once, in the order given. */
function normalizeTags(tags: string | string[] | null | undefined): string[] | undefined {
  if (tags === undefined) return undefined;
  const list = typeof tags === 'string' ? tags.split(',') : (tags ?? []);
  return [...new Set(list.map((tag) => tag.trim()).filter((tag) => tag !== ''))];
}

export function changesFromGateway(body: CreateCollectionInput | UpdateCollectionInput): CollectionChanges {
  return {
    name: body.collectionName?.trim(),
    context: body.context,
    tags: normalizeTags(body.tags),
    embeddingModel: body.embeddingModel,
    chunkSize: body.chunkSize,
    chunkOverlap: body.chunkOverlap,
  };
}

export function changesFromDataSource(body: DataSourceCollectionInput | UpdateDataSourceCollectionInput): CollectionChanges {
  return { name: body.name?.trim(), context: body.description, tags: normalizeTags(body.tags) };
}

export function toCollection(row: CollectionRow, defaultModel: string, states: Partial<Record<DocumentState, number>> = {}): Collection {
  const indexed = states.Indexed ?? 0;
  const queued = states.Queued ?? 0;
  const cancelled = states.Cancelled ?? 0;
  const failed = states.Failed ?? 0;
  const chunking = chunkSettings(row);
  return {
    id: row.id,
    name: row.name,
    context: row.context,
    tags: JSON.parse(row.tags) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    documents: { total: indexed + queued + cancelled + failed, indexed, queued, cancelled, failed },
    embeddingModel: effectiveEmbeddingModel(row, defaultModel),
    embeddingDimensions: row.vectors_dimensions,
    chunkSize: chunking.maxTokens,
    chunkOverlap: chunking.overlapTokens,
  };
}

export function toCollectionView(collection: Collection): CollectionView {
  const { total, indexed, queued, failed } = collection.documents;
  return {
    id: collection.id,
    name: collection.name,
    context: collection.context,
    createdAt: collection.createdAt,
    updatedAt: collection.updatedAt,
    state: { total, indexed, queued, failed },
    tags: collection.tags,
    embeddingModel: collection.embeddingModel,
    embeddingDimensions: collection.embeddingDimensions,
    chunkSize: collection.chunkSize,
    chunkOverlap: collection.chunkOverlap,
  };
}

export function toDataSourceCollection(collection: Collection): DataSourceCollection {
  return {
    id: collection.id,
    name: collection.name,
    description: collection.context,
    tags: collection.tags,
    documentCount: collection.documents.total,
    indexedDocumentCount: collection.documents.indexed,
    queuedDocumentCount: collection.documents.queued,
    createdAt: collection.createdAt,
    updatedAt: collection.updatedAt,
  };
}

export function auditSnapshot(
  row: Pick<CollectionRow, 'name' | 'context' | 'tags' | 'embedding_model' | 'chunk_max_tokens' | 'chunk_overlap_tokens'>,
): Record<string, unknown> {
  return {
    name: row.name,
    context: row.context,
    tags: JSON.parse(row.tags) as string[],
    embeddingModel: row.embedding_model,
    chunkSize: row.chunk_max_tokens,
    chunkOverlap: row.chunk_overlap_tokens,
  };
}
