import type { Actor } from '../../platform/actor.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { nowIso } from '../../platform/db/dialect.js';
import { BadRequestError, NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { OffsetPage } from '../../platform/paging.js';
import { type AuditService, changedProperties } from '../audit/index.js';
import { type Collection, type CollectionChanges, auditSnapshot, chunkSettings, effectiveEmbeddingModel, toCollection } from './collection-record.js';
import {
  type CollectionListFilters,
  type CollectionRow,
  countDocumentStates,
  deleteCollection,
  findCollection,
  insertCollection,
  listCollections,
  updateCollection,
} from './collection.repository.js';
import { bumpIndexVersion, deleteCollectionChunks } from './chunk.repository.js';
import { deleteCollectionDocuments, requeueCollectionDocuments } from './document.repository.js';
import type { KnowledgeIndexingHooks } from './indexing-hooks.js';

export interface CollectionServiceDependencies {
  readonly db: DatabaseHandle;
  readonly audit: AuditService;
  readonly indexing: KnowledgeIndexingHooks;
}

function checkChunking(chunkSize: number | null, chunkOverlap: number | null): void {
  const { maxTokens } = chunkSettings({ chunk_max_tokens: chunkSize, chunk_overlap_tokens: null });
  if (chunkOverlap !== null && chunkOverlap * 2 >= maxTokens) {
    throw new BadRequestError('validation_failed', `chunkOverlap: must be less than half of chunkSize (${maxTokens}).`, {
      details: { field: 'chunkOverlap', rule: 'less than half of chunkSize' },
    });
  }
}

const ENTITY_TYPE = 'Collection';

export class CollectionService {
  constructor(private readonly deps: CollectionServiceDependencies) {}

  async list(orgId: string, filters: CollectionListFilters): Promise<OffsetPage<Collection>> {
    // One snapshot, as in get(): rows and counts the pipeline changes together are read together.
    return this.deps.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (transaction) => {
        const page = await listCollections(transaction, orgId, filters);
        const states = await countDocumentStates(
          transaction,
          orgId,
          page.items.map((row) => row.id),
        );
        const defaultModel = this.deps.indexing.defaultEmbeddingModel;
        return { items: page.items.map((row) => toCollection(row, defaultModel, states.get(row.id))), totalCount: page.totalCount, offset: filters.offset, limit: filters.limit };
      });
  }

  async get(orgId: string, id: string): Promise<Collection> {
    // One snapshot: the pipeline marks documents Indexed and records the vectors' dimensions in one
    // transaction, and two separate reads could see one without the other.
    return this.deps.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (transaction) => this.withStates(transaction, await this.require(transaction, orgId, id)));
  }

  async create(actor: Actor, changes: CollectionChanges): Promise<Collection> {
    // The contracts' schemas require a name on create; this guards callers that bypass them.
    if (changes.name === undefined) throw new BadRequestError('collection_name_required', 'A collection needs a name.');
    checkChunking(changes.chunkSize ?? null, changes.chunkOverlap ?? null);
    if (changes.embeddingModel) await this.deps.indexing.validateEmbeddingModel(actor.orgId, changes.embeddingModel, 'embeddingModel');
    const now = nowIso();
    const row: CollectionRow = {
      id: newId(),
      org_id: actor.orgId,
      name: changes.name,
      context: changes.context ?? null,
      tags: JSON.stringify(changes.tags ?? []),
      embedding_model: changes.embeddingModel ?? null,
      vectors_model: null,
      vectors_dimensions: null,
      chunk_max_tokens: changes.chunkSize ?? null,
      chunk_overlap_tokens: changes.chunkOverlap ?? null,
      index_version: 0,
      created_at: now,
      updated_at: now,
    };
    await this.deps.db.transaction().execute(async (transaction) => {
      await insertCollection(transaction, row);
      await this.deps.audit.record(transaction, actor, {
        entityType: ENTITY_TYPE,
        entityId: row.id,
        changeType: 'Created',
        changes: changedProperties(null, auditSnapshot(row)),
      });
    });
    return toCollection(row, this.deps.indexing.defaultEmbeddingModel);
  }

  /**
   * A merge: what is left out keeps its value. A change that changes nothing writes nothing.
   * A new embedding model drops the collection's vectors and re-embeds every document (vectors
   * of two models cannot be compared); new chunk settings re-index every document, and the old
   * chunks stay searchable until each document's new ones replace them.
   */
  async update(actor: Actor, id: string, changes: CollectionChanges): Promise<Collection> {
    if (changes.embeddingModel) await this.deps.indexing.validateEmbeddingModel(actor.orgId, changes.embeddingModel, 'embeddingModel');
    const result = await this.deps.db.transaction().execute(async (transaction) => {
      const before = await this.require(transaction, actor.orgId, id);
      const after: CollectionRow = {
        ...before,
        name: changes.name ?? before.name,
        context: changes.context === undefined ? before.context : changes.context,
        tags: changes.tags === undefined ? before.tags : JSON.stringify(changes.tags),
        embedding_model: changes.embeddingModel === undefined ? before.embedding_model : changes.embeddingModel,
        chunk_max_tokens: changes.chunkSize === undefined ? before.chunk_max_tokens : changes.chunkSize,
        chunk_overlap_tokens: changes.chunkOverlap === undefined ? before.chunk_overlap_tokens : changes.chunkOverlap,
      };
      checkChunking(after.chunk_max_tokens, after.chunk_overlap_tokens);
      const changed = changedProperties(auditSnapshot(before), auditSnapshot(after));
      if (changed.length === 0) return { collection: await this.withStates(transaction, before), requeued: false };
      const defaultModel = this.deps.indexing.defaultEmbeddingModel;
      const newModel = effectiveEmbeddingModel(after, defaultModel) !== effectiveEmbeddingModel(before, defaultModel);
      const newChunking = JSON.stringify(chunkSettings(after)) !== JSON.stringify(chunkSettings(before));
      const updated: CollectionRow = {
        ...after,
        updated_at: nowIso(),
        ...(newModel ? { vectors_model: null, vectors_dimensions: null, index_version: before.index_version + 1 } : {}),
      };
      await updateCollection(transaction, actor.orgId, id, {
        name: updated.name,
        context: updated.context,
        tags: updated.tags,
        embedding_model: updated.embedding_model,
        chunk_max_tokens: updated.chunk_max_tokens,
        chunk_overlap_tokens: updated.chunk_overlap_tokens,
        vectors_model: updated.vectors_model,
        vectors_dimensions: updated.vectors_dimensions,
        index_version: updated.index_version,
        updated_at: updated.updated_at,
      });
      if (newModel) await deleteCollectionChunks(transaction, id);
      if (newModel || newChunking) await requeueCollectionDocuments(transaction, actor.orgId, id, updated.updated_at);
      await this.deps.audit.record(transaction, actor, { entityType: ENTITY_TYPE, entityId: id, changeType: 'Updated', changes: changed });
      return { collection: await this.withStates(transaction, updated), requeued: newModel || newChunking };
    });
    if (result.requeued) this.deps.indexing.schedule(actor.orgId, id);
    return result.collection;
  }

  /** Deletes the collection with its documents. */
  async delete(actor: Actor, id: string): Promise<void> {
    await this.deps.db.transaction().execute(async (transaction) => {
      const before = await this.require(transaction, actor.orgId, id);
      await deleteCollectionDocuments(transaction, actor.orgId, id);
      await deleteCollection(transaction, actor.orgId, id);
      await this.deps.audit.record(transaction, actor, {
        entityType: ENTITY_TYPE,
        entityId: id,
        changeType: 'Deleted',
        changes: changedProperties(auditSnapshot(before), null),
      });
    });
  }

  /** Removes every document and keeps the collection; audited as an update of its document count. */
  async reset(actor: Actor, id: string): Promise<{ removedCount: number }> {
    return this.deps.db.transaction().execute(async (transaction) => {
      await this.require(transaction, actor.orgId, id);
      const removedCount = await deleteCollectionDocuments(transaction, actor.orgId, id);
      await bumpIndexVersion(transaction, id);
      if (removedCount > 0) {
        await this.deps.audit.record(transaction, actor, {
          entityType: ENTITY_TYPE,
          entityId: id,
          changeType: 'Updated',
          changes: [{ propertyName: 'documents', oldValue: removedCount, newValue: 0 }],
        });
      }
      return { removedCount };
    });
  }

  /** Marks every document Queued again so the indexing pipeline re-embeds the whole collection. */
  async requeue(actor: Actor, id: string): Promise<{ enqueued: number }> {
    const result = await this.deps.db.transaction().execute(async (transaction) => {
      await this.require(transaction, actor.orgId, id);
      return { enqueued: await requeueCollectionDocuments(transaction, actor.orgId, id, nowIso()) };
    });
    this.deps.indexing.schedule(actor.orgId, id);
    return result;
  }

  /** Names and descriptions of the organization's collections among `ids`; other ids are left out. */
  async describe(orgId: string, ids: readonly string[]): Promise<Map<string, { name: string; context: string | null }>> {
    if (ids.length === 0) return new Map();
    const rows = await this.deps.db
      .selectFrom('collections')
      .select(['id', 'name', 'context'])
      .where('org_id', '=', orgId)
      .where('id', 'in', [...ids])
      .execute();
    return new Map(rows.map((row) => [row.id, { name: row.name, context: row.context }]));
  }

  private async require(db: DatabaseHandle, orgId: string, id: string): Promise<CollectionRow> {
    const row = await findCollection(db, orgId, id);
    if (!row) throw new NotFoundError(ENTITY_TYPE, id);
    return row;
  }

  private async withStates(db: DatabaseHandle, row: CollectionRow): Promise<Collection> {
    const states = await countDocumentStates(db, row.org_id, [row.id]);
    return toCollection(row, this.deps.indexing.defaultEmbeddingModel, states.get(row.id));
  }
}
