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
  readonly documents: { readonly total: number; readonly indexed: number; readonly queued: number; readonly cancelled: number };
}

/** What a create or an update sets; for an update, `undefined` keeps the stored value. */
export interface CollectionChanges {
  readonly name?: string | undefined;
  readonly context?: string | null | undefined;
  readonly tags?: string[] | undefined;
}

/** Trimmed, empty ones dropped, each once, in the order given. */
function normalizeTags(tags: string | string[] | null | undefined): string[] | undefined {
  if (tags === undefined) return undefined;
  const list = typeof tags === 'string' ? tags.split(',') : (tags ?? []);
  return [...new Set(list.map((tag) => tag.trim()).filter((tag) => tag !== ''))];
}

export function changesFromGateway(body: CreateCollectionInput | UpdateCollectionInput): CollectionChanges {
  return { name: body.collectionName?.trim(), context: body.context, tags: normalizeTags(body.tags) };
}

export function changesFromDataSource(body: DataSourceCollectionInput | UpdateDataSourceCollectionInput): CollectionChanges {
  return { name: body.name?.trim(), context: body.description, tags: normalizeTags(body.tags) };
}

export function toCollection(row: CollectionRow, states: Partial<Record<DocumentState, number>> = {}): Collection {
  const indexed = states.Indexed ?? 0;
  const queued = states.Queued ?? 0;
  const cancelled = states.Cancelled ?? 0;
  return {
    id: row.id,
    name: row.name,
    context: row.context,
    tags: JSON.parse(row.tags) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    documents: { total: indexed + queued + cancelled, indexed, queued, cancelled },
  };
}

export function toCollectionView(collection: Collection): CollectionView {
  const { total, indexed, queued } = collection.documents;
  return {
    id: collection.id,
    name: collection.name,
    context: collection.context,
    createdAt: collection.createdAt,
    updatedAt: collection.updatedAt,
    state: { total, indexed, queued },
    tags: collection.tags,
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

export function auditSnapshot(row: Pick<CollectionRow, 'name' | 'context' | 'tags'>): Record<string, unknown> {
  return { name: row.name, context: row.context, tags: JSON.parse(row.tags) as string[] };
}
