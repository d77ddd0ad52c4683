import type { Selectable } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { OffsetPage } from '../../platform/paging.js';
import type { AuditEventsTable } from './audit-event.table.js';
import type { AuditListFilters } from './audit.schemas.js';

export type AuditEventRow = Selectable<AuditEventsTable>;

export async function insertAuditEvent(db: DatabaseHandle, row: AuditEventRow): Promise<void> {
  await db.insertInto('audit_events').values(row).execute();
}

function filtered(db: DatabaseHandle, orgId: string, filters: AuditListFilters) {
  let query = db.selectFrom('audit_events').where('org_id', '=', orgId);
  if (filters.from) query = query.where('created_at', '>=', new Date(filters.from).toISOString());
  if (filters.to) query = query.where('created_at', '<', new Date(filters.to).toISOString());
  if (filters.changeType) query = query.where('change_type', '=', filters.changeType);
  if (filters.userId) query = query.where('actor_key_id', '=', filters.userId);
  if (filters.entityType) query = query.where('entity_type', '=', filters.entityType);
  if (filters.entityId) query = query.where('entity_id', '=', filters.entityId);
  return query;
}

export async function listAuditEvents(
  db: DatabaseHandle,
  orgId: string,
  filters: AuditListFilters,
): Promise<OffsetPage<AuditEventRow>> {
  const [items, total] = await Promise.all([
    filtered(db, orgId, filters)
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filters.limit)
      .offset(filters.offset)
      .execute(),
    filtered(db, orgId, filters)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items, totalCount: Number(total.count), offset: filters.offset, limit: filters.limit };
}

export async function findAuditEvent(db: DatabaseHandle, orgId: string, id: string): Promise<AuditEventRow | undefined> {
  return db.selectFrom('audit_events').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function deleteAuditEventsBefore(db: DatabaseHandle, orgId: string, cutoff: string): Promise<number> {
  const result = await db
    .deleteFrom('audit_events')
    .where('org_id', '=', orgId)
    .where('created_at', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
