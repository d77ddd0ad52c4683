import { type Updateable, sql } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { containsPattern } from './collection.repository.js';
import type { DocumentFilter } from './document-filter.js';
import { type DocumentRow, type DocumentSummaryRow, PREVIEW_CHARACTERS } from './document-record.js';
import type { DocumentSort } from './document.schemas.js';
import type { DocumentState, DocumentsTable } from './knowledge.table.js';

/** Keeps `in (...)` lists and multi-row inserts well under SQLite's bound-parameter limit. */
const CHUNK = 100;

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += CHUNK) result.push(items.slice(start, start + CHUNK));
  return result;
}

export interface DocumentListFilters {
  readonly filter: DocumentFilter;
  readonly state?: DocumentState | undefined;
  readonly sort: DocumentSort;
  readonly offset: number;
  readonly limit: number;
}

const SORTS: Record<DocumentSort, ['created_at' | 'updated_at' | 'name', 'asc' | 'desc']> = {
  created_at_desc: ['created_at', 'desc'],
  created_at_asc: ['created_at', 'asc'],
  updated_at_desc: ['updated_at', 'desc'],
  updated_at_asc: ['updated_at', 'asc'],
  name_asc: ['name', 'asc'],
  name_desc: ['name', 'desc'],
};

export async function insertDocuments(db: DatabaseHandle, rows: readonly DocumentRow[]): Promise<void> {
  for (const chunk of chunks(rows)) await db.insertInto('documents').values(chunk).execute();
}

export async function findDocument(db: DatabaseHandle, orgId: string, collectionId: string, id: string): Promise<DocumentRow | undefined> {
  return db
    .selectFrom('documents')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('collection_id', '=', collectionId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findDocumentsByNames(db: DatabaseHandle, orgId: string, collectionId: string, names: readonly string[]): Promise<DocumentRow[]> {
  const found: DocumentRow[] = [];
  for (const chunk of chunks(names)) {
    found.push(
      ...(await db
        .selectFrom('documents')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('collection_id', '=', collectionId)
        .where('name', 'in', chunk)
        .execute()),
    );
  }
  return found;
}

export async function updateDocument(db: DatabaseHandle, orgId: string, id: string, changes: Updateable<DocumentsTable>): Promise<void> {
  await db.updateTable('documents').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deleteDocument(db: DatabaseHandle, orgId: string, collectionId: string, id: string): Promise<void> {
  await db.deleteFrom('documents').where('org_id', '=', orgId).where('collection_id', '=', collectionId).where('id', '=', id).execute();
}

/** Removes every document of the collection and says how many there were. */
export async function deleteCollectionDocuments(db: DatabaseHandle, orgId: string, collectionId: string): Promise<number> {
  const result = await db.deleteFrom('documents').where('org_id', '=', orgId).where('collection_id', '=', collectionId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Marks every document Queued again with a new revision, so the pipeline re-indexes them all. */
export async function requeueCollectionDocuments(db: DatabaseHandle, orgId: string, collectionId: string, now: string): Promise<number> {
  const result = await db
    .updateTable('documents')
    .set({ state: 'Queued', state_reason: null, indexed_at: null, index_lease_until: null, index_attempts: 0, updated_at: now, revision: sql<number>`revision + 1` })
    .where('org_id', '=', orgId)
    .where('collection_id', '=', collectionId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

function listed(db: DatabaseHandle, orgId: string, collectionId: string, filters: DocumentListFilters) {
  let query = db.selectFrom('documents').where('org_id', '=', orgId).where('collection_id', '=', collectionId);
  if (filters.state) query = query.where('state', '=', filters.state);
  // Tags hold no quotes or backslashes, so a quoted tag matches exactly one element of the JSON text.
  for (const tag of filters.filter.tags) query = query.where(sql<boolean>`lower(tags) like ${containsPattern(JSON.stringify(tag))} escape '\\'`);
  for (const text of filters.filter.nameContains) query = query.where(sql<boolean>`lower(name) like ${containsPattern(text)} escape '\\'`);
  for (const text of filters.filter.referenceContains) {
    query = query.where(sql<boolean>`lower(reference) like ${containsPattern(text)} escape '\\'`);
  }
  return query;
}

/** One page of summaries: the preview is cut in SQL so long contents never leave the database. */
export async function listDocuments(
  db: DatabaseHandle,
  orgId: string,
  collectionId: string,
  filters: DocumentListFilters,
): Promise<{ items: DocumentSummaryRow[]; totalCount: number }> {
  const [column, direction] = SORTS[filters.sort];
  const [items, total] = await Promise.all([
    listed(db, orgId, collectionId, filters)
      .select(['id', 'updated_at', 'name', 'reference', 'tags', 'state', sql<string>`substr(contents, 1, ${sql.lit(PREVIEW_CHARACTERS)})`.as('preview')])
      .orderBy(column, direction)
      .orderBy('id', direction)
      .limit(filters.limit)
      .offset(filters.offset)
      .execute(),
    listed(db, orgId, collectionId, filters)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items, totalCount: Number(total.count) };
}

/** One page of whole documents after `afterId`, by id (creation order), for exports that must not hold every row. */
export async function listDocumentPage(
  db: DatabaseHandle,
  orgId: string,
  collectionId: string,
  afterId: string | undefined,
  limit: number,
): Promise<DocumentRow[]> {
  let query = db.selectFrom('documents').selectAll().where('org_id', '=', orgId).where('collection_id', '=', collectionId);
  if (afterId !== undefined) query = query.where('id', '>', afterId);
  return query.orderBy('id').limit(limit).execute();
}
