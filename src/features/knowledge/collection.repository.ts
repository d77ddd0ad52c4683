import { type Selectable, type Updateable, sql } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { CollectionsTable, DocumentState } from './knowledge.table.js';

export type CollectionRow = Selectable<CollectionsTable>;

export interface CollectionListFilters {
  readonly search?: string | undefined;
  readonly offset: number;
  readonly limit: number;
}

/** `%` and `_` in the text are literal: LIKE with an explicit escape behaves the same on both dialects. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

export async function insertCollection(db: DatabaseHandle, row: CollectionRow): Promise<void> {
  await db.insertInto('collections').values(row).execute();
}

export async function findCollection(db: DatabaseHandle, orgId: string, id: string): Promise<CollectionRow | undefined> {
  return db.selectFrom('collections').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

function listed(db: DatabaseHandle, orgId: string, filters: CollectionListFilters) {
  let query = db.selectFrom('collections').where('org_id', '=', orgId);
  const search = filters.search?.trim();
  if (search) query = query.where(sql<boolean>`lower(name) like ${containsPattern(search)} escape '\\'`);
  return query;
}

export async function listCollections(
  db: DatabaseHandle,
  orgId: string,
  filters: CollectionListFilters,
): Promise<{ items: CollectionRow[]; totalCount: number }> {
  const [items, total] = await Promise.all([
    listed(db, orgId, filters).selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filters.limit).offset(filters.offset).execute(),
    listed(db, orgId, filters)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items, totalCount: Number(total.count) };
}

export async function updateCollection(db: DatabaseHandle, orgId: string, id: string, changes: Updateable<CollectionsTable>): Promise<void> {
  await db.updateTable('collections').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deleteCollection(db: DatabaseHandle, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('collections').where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Documents per state of each of `collectionIds`, in one grouped read. */
export async function countDocumentStates(
  db: DatabaseHandle,
  orgId: string,
  collectionIds: readonly string[],
): Promise<Map<string, Partial<Record<DocumentState, number>>>> {
  const counts = new Map<string, Partial<Record<DocumentState, number>>>();
  if (collectionIds.length === 0) return counts;
  const rows = await db
    .selectFrom('documents')
    .select(['collection_id', 'state', (eb) => eb.fn.countAll<number>().as('count')])
    .where('org_id', '=', orgId)
    .where('collection_id', 'in', [...collectionIds])
    .groupBy(['collection_id', 'state'])
    .execute();
  for (const row of rows) {
    const states = counts.get(row.collection_id) ?? {};
    states[row.state] = Number(row.count);
    counts.set(row.collection_id, states);
  }
  return counts;
}
