import type { Actor } from '../../platform/actor.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { isUniqueViolation, nowIso } from '../../platform/db/dialect.js';
import { ConflictError, NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { OffsetPage } from '../../platform/paging.js';
import type { AuditService } from '../audit/index.js';
import { findCollection } from './collection.repository.js';
import { parseDocumentFilter } from './document-filter.js';
import { parseDocumentLines, readJsonLines } from './document-import.js';
import { type DocumentRow, changeOf, portableFromInput, portableFromRow, queuedRow, toDocumentSummary, toDocumentView } from './document-record.js';
import {
  deleteDocument,
  findDocument,
  findDocumentsByNames,
  insertDocuments,
  listDocumentPage,
  listDocuments,
  updateDocument,
} from './document.repository.js';
import type {
  DocumentImportResult,
  DocumentInput,
  DocumentListQuery,
  DocumentSummary,
  DocumentUpsertResult,
  DocumentView,
  PortableDocument,
} from './document.schemas.js';
import type { KnowledgeIndexingHooks } from './indexing-hooks.js';
import type { DocumentState } from './knowledge.table.js';
import { bumpIndexVersion } from './chunk.repository.js';

export interface DocumentServiceDependencies {
  readonly db: DatabaseHandle;
  readonly audit: AuditService;
  readonly indexing: Pick<KnowledgeIndexingHooks, 'schedule'>;
  /** Largest JSONL file an import reads; 64 MiB by default. */
  readonly maxImportBytes?: number;
  /** Most documents one import may hold; 10,000 by default. */
  readonly maxImportDocuments?: number;
}

const DEFAULT_MAX_IMPORT_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_IMPORT_DOCUMENTS = 10_000;
/** Small pages: a document may hold 2,000,000 characters, and a page is held in memory while it is written. */
const EXPORT_PAGE_SIZE = 50;

/** The spec writes states in lower case in queries; the stored and returned names are capitalized. */
const STATE_OF_QUERY: Record<NonNullable<DocumentListQuery['state']>, DocumentState> = {
  queued: 'Queued',
  indexed: 'Indexed',
  cancelled: 'Cancelled',
  failed: 'Failed',
  Queued: 'Queued',
  Indexed: 'Indexed',
  Cancelled: 'Cancelled',
  Failed: 'Failed',
};

type WriteOutcome = 'Created' | 'Updated' | 'Requeued' | 'Unchanged';

export class DocumentService {
  constructor(private readonly deps: DocumentServiceDependencies) {}

  get maxImportBytes(): number {
    return this.deps.maxImportBytes ?? DEFAULT_MAX_IMPORT_BYTES;
  }

  async list(orgId: string, collectionId: string, query: DocumentListQuery): Promise<OffsetPage<DocumentSummary>> {
    const filter = parseDocumentFilter(query.filter);
    await this.requireCollection(this.deps.db, orgId, collectionId);
    const state = query.state === undefined ? undefined : STATE_OF_QUERY[query.state];
    const page = await listDocuments(this.deps.db, orgId, collectionId, { filter, state, sort: query.order_by, offset: query.offset, limit: query.limit });
    return { items: page.items.map(toDocumentSummary), totalCount: page.totalCount, offset: query.offset, limit: query.limit };
  }

  async get(orgId: string, collectionId: string, id: string): Promise<DocumentView> {
    await this.requireCollection(this.deps.db, orgId, collectionId);
    const row = await findDocument(this.deps.db, orgId, collectionId, id);
    if (!row) throw new NotFoundError('Document', id);
    return toDocumentView(row);
  }

  /**
   * Creates the document, or updates the one of the collection with the same
   * name. New contents (another hash) put it back in the queue; the same
   * contents keep its state and index, updating only what else changed.
   */
  async upsert(actor: Actor, collectionId: string, input: DocumentInput): Promise<DocumentUpsertResult> {
    const document = portableFromInput(input);
    const result = await this.writeUnique(() =>
      this.deps.db.transaction().execute(async (transaction) => {
        await this.requireCollection(transaction, actor.orgId, collectionId);
        const [existing] = await findDocumentsByNames(transaction, actor.orgId, collectionId, [document.name]);
        const { row, outcome } = await this.write(transaction, actor, collectionId, document, existing, nowIso());
        return { documentId: row.id, state: row.state, result: outcome === 'Requeued' ? 'Updated' : outcome };
      }),
    );
    if (result.state === 'Queued') this.deps.indexing.schedule(actor.orgId, collectionId);
    return result;
  }

  /**
   * Imports a JSONL file into the collection. Every line is checked before
   * anything is written; one bad line fails the import. Lines are upserts by
   * name, written in one transaction.
   */
  async importJsonl(actor: Actor, collectionId: string, content: AsyncIterable<Buffer | string>): Promise<DocumentImportResult> {
    await this.requireCollection(this.deps.db, actor.orgId, collectionId);
    const lines = await parseDocumentLines(readJsonLines(content, this.maxImportBytes), this.deps.maxImportDocuments ?? DEFAULT_MAX_IMPORT_DOCUMENTS);
    const documents = lines.documents.map(portableFromInput);
    const result = await this.writeUnique(() =>
      this.deps.db.transaction().execute(async (transaction) => {
        await this.requireCollection(transaction, actor.orgId, collectionId);
        const existing = new Map(
          (
            await findDocumentsByNames(
              transaction,
              actor.orgId,
              collectionId,
              documents.map((document) => document.name),
            )
          ).map((row) => [row.name, row]),
        );
        const now = nowIso();
        const fresh = documents.filter((document) => !existing.has(document.name));
        await insertDocuments(
          transaction,
          fresh.map((document) => queuedRow(document, { id: newId(), orgId: actor.orgId, collectionId, now })),
        );
        let updated = 0;
        for (const document of documents) {
          const row = existing.get(document.name);
          if (!row) continue;
          const { outcome } = await this.write(transaction, actor, collectionId, document, row, now);
          if (outcome === 'Requeued') updated += 1;
        }
        return {
          enqueued: fresh.length + updated,
          skipped: documents.length - fresh.length - updated + lines.invalidLineCount,
          created: fresh.length,
          updated,
          invalid: lines.invalidLineCount,
          invalidLines: [...lines.problems],
        };
      }),
    );
    if (result.enqueued > 0) this.deps.indexing.schedule(actor.orgId, collectionId);
    return result;
  }

  async delete(actor: Actor, collectionId: string, id: string): Promise<void> {
    await this.deps.db.transaction().execute(async (transaction) => {
      await this.requireCollection(transaction, actor.orgId, collectionId);
      const row = await findDocument(transaction, actor.orgId, collectionId, id);
      if (!row) throw new NotFoundError('Document', id);
      // Its chunks go with it (cascade); search caches learn of it by the version.
      await deleteDocument(transaction, actor.orgId, collectionId, id);
      await bumpIndexVersion(transaction, collectionId);
      await this.deps.audit.record(transaction, actor, {
        entityType: 'Document',
        entityId: id,
        changeType: 'Deleted',
        changes: [
          { propertyName: 'collectionId', oldValue: collectionId, newValue: null },
          { propertyName: 'name', oldValue: row.name, newValue: null },
        ],
      });
    });
  }

  /** Checks the collection before the first byte is sent, so a wrong id is a 404 and not an empty file. */
  async assertCollection(orgId: string, collectionId: string): Promise<void> {
    await this.requireCollection(this.deps.db, orgId, collectionId);
  }

  /**
   * The collection's documents as JSONL in the import's format, by creation,
   * read a page at a time. Stops when `signal` fires (the client left).
   */
  async *exportJsonl(orgId: string, collectionId: string, options: { readonly signal?: AbortSignal } = {}): AsyncGenerator<string> {
    let afterId: string | undefined;
    for (;;) {
      if (options.signal?.aborted) return;
      const page = await listDocumentPage(this.deps.db, orgId, collectionId, afterId, EXPORT_PAGE_SIZE);
      for (const row of page) yield `${JSON.stringify(portableFromRow(row))}\n`;
      if (page.length < EXPORT_PAGE_SIZE) return;
      afterId = page[page.length - 1]?.id;
    }
  }

  private async write(
    transaction: DatabaseHandle,
    actor: Actor,
    collectionId: string,
    document: PortableDocument,
    existing: DocumentRow | undefined,
    now: string,
  ): Promise<{ row: DocumentRow; outcome: WriteOutcome }> {
    if (!existing) {
      const row = queuedRow(document, { id: newId(), orgId: actor.orgId, collectionId, now });
      await insertDocuments(transaction, [row]);
      return { row, outcome: 'Created' };
    }
    const change = changeOf(existing, document);
    if (change === 'none') return { row: existing, outcome: 'Unchanged' };
    if (change === 'contents') {
      const row = queuedRow(document, { id: existing.id, orgId: actor.orgId, collectionId, now }, existing);
      const { id: _id, org_id: _org, collection_id: _collection, created_at: _created, ...changes } = row;
      await updateDocument(transaction, actor.orgId, existing.id, changes);
      return { row, outcome: 'Requeued' };
    }
    const details = { reference: document.reference, tags: JSON.stringify(document.tags), metadata: JSON.stringify(document.metadata), updated_at: now };
    await updateDocument(transaction, actor.orgId, existing.id, details);
    return { row: { ...existing, ...details }, outcome: 'Updated' };
  }

  private async requireCollection(db: DatabaseHandle, orgId: string, collectionId: string): Promise<void> {
    if (!(await findCollection(db, orgId, collectionId))) throw new NotFoundError('Collection', collectionId);
  }

  /** A name taken by a concurrent write surfaces as the unique constraint. */
  private async writeUnique<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new ConflictError('Another request wrote a document with the same name meanwhile; send the request again.', 'document_name_taken');
    }
  }
}
