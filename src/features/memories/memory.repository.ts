import { type ExpressionBuilder, type Selectable, sql } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { Tables } from '../../tables.js';
import type { MemoryFormat } from './memory.schemas.js';
import type { MemoriesTable } from './memory.table.js';

export type MemoryRow = Selectable<MemoriesTable>;

export interface MemoryListFilters {
  readonly filter?: string | undefined;
  readonly format?: MemoryFormat | undefined;
  readonly offset: number;
  readonly limit: number;
}

/** Expired reminders are gone for readers at once; the purge job only reclaims their rows. */
function unexpired(now: string) {
  return (eb: ExpressionBuilder<Tables, 'memories'>) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]);
}

/** `%` and `_` in the filter are literal: LIKE with an explicit escape behaves the same on both dialects. */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

function contains(column: 'id' | 'content' | 'external_user_id', pattern: string) {
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

function listed(db: DatabaseHandle, orgId: string, filters: MemoryListFilters, now: string) {
  let query = db.selectFrom('memories').where('org_id', '=', orgId).where(unexpired(now));
  if (filters.format) query = query.where('format', '=', filters.format);
  const filter = filters.filter?.trim();
  if (filter) {
    const pattern = containsPattern(filter);
    query = query.where((eb) => eb.or([contains('id', pattern), contains('content', pattern), contains('external_user_id', pattern)]));
  }
  return query;
}

export async function listMemories(
  db: DatabaseHandle,
  orgId: string,
  filters: MemoryListFilters,
  now: string,
): Promise<{ items: MemoryRow[]; totalCount: number }> {
  const [items, total] = await Promise.all([
    listed(db, orgId, filters, now)
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filters.limit)
      .offset(filters.offset)
      .execute(),
    listed(db, orgId, filters, now)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items, totalCount: Number(total.count) };
}

export async function findLiveMemory(db: DatabaseHandle, orgId: string, id: string, now: string): Promise<MemoryRow | undefined> {
  return db.selectFrom('memories').selectAll().where('org_id', '=', orgId).where('id', '=', id).where(unexpired(now)).executeTakeFirst();
}

/** The user's unexpired memories, newest first. */
export async function listUserMemories(
  db: DatabaseHandle,
  orgId: string,
  externalUserId: string,
  now: string,
  limit: number,
): Promise<MemoryRow[]> {
  return db
    .selectFrom('memories')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('external_user_id', '=', externalUserId)
    .where(unexpired(now))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function findSameMemory(
  db: DatabaseHandle,
  orgId: string,
  memory: Pick<MemoryRow, 'external_user_id' | 'format' | 'content'>,
  now: string,
): Promise<MemoryRow | undefined> {
  return db
    .selectFrom('memories')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('external_user_id', '=', memory.external_user_id)
    .where('format', '=', memory.format)
    .where('content', '=', memory.content)
    .where(unexpired(now))
    .executeTakeFirst();
}

export async function insertMemory(db: DatabaseHandle, row: MemoryRow): Promise<void> {
  await db.insertInto('memories').values(row).execute();
}

export async function refreshMemory(
  db: DatabaseHandle,
  orgId: string,
  id: string,
  changes: Pick<MemoryRow, 'agent_id' | 'expires_at' | 'updated_at'>,
): Promise<void> {
  await db.updateTable('memories').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export type DeletedMemory = Pick<MemoryRow, 'id' | 'external_user_id' | 'format'>;

export async function deleteMemory(db: DatabaseHandle, orgId: string, id: string, now: string): Promise<DeletedMemory[]> {
  return db
    .deleteFrom('memories')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where(unexpired(now))
    .returning(['id', 'external_user_id', 'format'])
    .execute();
}

/** RETURNING names exactly the rows removed, so each one is audited even when others arrive meanwhile. */
export async function deleteUserMemories(
  db: DatabaseHandle,
  orgId: string,
  externalUserId: string,
  format: MemoryFormat | undefined,
  now: string,
): Promise<DeletedMemory[]> {
  // Expired rows are left to the purge job, so the count matches what the user could see.
  let query = db.deleteFrom('memories').where('org_id', '=', orgId).where('external_user_id', '=', externalUserId).where(unexpired(now));
  if (format) query = query.where('format', '=', format);
  return query.returning(['id', 'external_user_id', 'format']).execute();
}

/** Deletes up to `limit` expired memories of every organization; batches keep each statement's locks short. */
export async function deleteExpiredMemories(db: DatabaseHandle, now: string, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('memories')
    .where('id', 'in', (eb) => eb.selectFrom('memories').select('id').where('expires_at', '<=', now).limit(limit))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
