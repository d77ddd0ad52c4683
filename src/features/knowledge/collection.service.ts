import type { Actor } from '../../platform/actor.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { nowIso } from '../../platform/db/dialect.js';
import { BadRequestError, NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { OffsetPage } from '../../platform/paging.js';
import { type AuditService, changedProperties } from '../audit/index.js';
import { type Collection, type CollectionChanges, auditSnapshot, toCollection } from './collection-record.js';
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
import { deleteCollectionDocuments, requeueCollectionDocuments } from './document.repository.js';

export interface CollectionServiceDependencies {
  readonly db: DatabaseHandle;
  readonly audit: AuditService;
}

const ENTITY_TYPE = 'Collection';

export class CollectionService {
  constructor(private readonly deps: CollectionServiceDependencies) {}

  async list(orgId: string, filters: CollectionListFilters): Promise<OffsetPage<Collection>> {
    const page = await listCollections(this.deps.db, orgId, filters);
    const states = await countDocumentStates(
      this.deps.db,
      orgId,
      page.items.map((row) => row.id),
    );
    return { items: page.items.map((row) => toCollection(row, states.get(row.id))), totalCount: page.totalCount, offset: filters.offset, limit: filters.limit };
  }

  async get(orgId: string, id: string): Promise<Collection> {
    const row = await this.require(this.deps.db, orgId, id);
    return this.withStates(this.deps.db, row);
  }

  async create(actor: Actor, changes: CollectionChanges): Promise<Collection> {
    // The contracts' schemas require a name on create; this guards callers that bypass them.
    if (changes.name === undefined) throw new BadRequestError('collection_name_required', 'A collection needs a name.');
    const now = nowIso();
    const row: CollectionRow = {
      id: newId(),
      org_id: actor.orgId,
      name: changes.name,
      context: changes.context ?? null,
      tags: JSON.stringify(changes.tags ?? []),
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
    return toCollection(row);
  }

  /** A merge: what is left out keeps its value. A change that changes nothing writes nothing. */
  async update(actor: Actor, id: string, changes: CollectionChanges): Promise<Collection> {
    return this.deps.db.transaction().execute(async (transaction) => {
      const before = await this.require(transaction, actor.orgId, id);
      const after: CollectionRow = {
        ...before,
        name: changes.name ?? before.name,
        context: changes.context === undefined ? before.context : changes.context,
        tags: changes.tags === undefined ? before.tags : JSON.stringify(changes.tags),
      };
      const changed = changedProperties(auditSnapshot(before), auditSnapshot(after));
      if (changed.length === 0) return this.withStates(transaction, before);
      const updated = { ...after, updated_at: nowIso() };
      await updateCollection(transaction, actor.orgId, id, { name: updated.name, context: updated.context, tags: updated.tags, updated_at: updated.updated_at });
      await this.deps.audit.record(transaction, actor, { entityType: ENTITY_TYPE, entityId: id, changeType: 'Updated', changes: changed });
      return this.withStates(transaction, updated);
    });
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
    return this.deps.db.transaction().execute(async (transaction) => {
      await this.require(transaction, actor.orgId, id);
      return { enqueued: await requeueCollectionDocuments(transaction, actor.orgId, id, nowIso()) };
    });
  }

  private async require(db: DatabaseHandle, orgId: string, id: string): Promise<CollectionRow> {
    const row = await findCollection(db, orgId, id);
    if (!row) throw new NotFoundError(ENTITY_TYPE, id);
    return row;
  }

  private async withStates(db: DatabaseHandle, row: CollectionRow): Promise<Collection> {
    const states = await countDocumentStates(db, row.org_id, [row.id]);
    return toCollection(row, states.get(row.id));
  }
}
