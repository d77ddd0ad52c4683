import type { Actor } from '../../platform/actor.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { nowIso } from '../../platform/db/dialect.js';
import { NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { OffsetPage } from '../../platform/paging.js';
import type { ChangedProperty } from './changed-properties.js';
import {
  type AuditEventRow,
  deleteAuditEventsBefore,
  findAuditEvent,
  insertAuditEvent,
  listAuditEvents,
} from './audit.repository.js';
import type { AuditEventDetail, AuditEventView, AuditListFilters, ChangeType } from './audit.schemas.js';

export interface AuditEntry {
  readonly entityType: string;
  readonly entityId: string;
  readonly changeType: ChangeType;
  readonly changes?: readonly ChangedProperty[];
}

const DAY_MS = 86_400_000;

function toView(row: AuditEventRow): AuditEventView {
  return {
    id: row.id,
    correlationId: row.correlation_id,
    createdAt: row.created_at,
    userId: row.actor_key_id,
    userName: row.actor_label,
    entityType: row.entity_type,
    entityId: row.entity_id,
    changeType: row.change_type,
  };
}

export class AuditService {
  constructor(private readonly db: DatabaseHandle) {}

  /**
   * Records a change. Callers pass the transaction that makes the change, so
   * the event exists exactly when the change does.
   */
  async record(transaction: DatabaseHandle, actor: Actor, entry: AuditEntry): Promise<void> {
    await insertAuditEvent(transaction, {
      id: newId(),
      org_id: actor.orgId,
      correlation_id: actor.correlationId,
      created_at: nowIso(),
      actor_key_id: actor.keyId,
      actor_label: actor.keyLabel,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      change_type: entry.changeType,
      changes: entry.changes && entry.changes.length > 0 ? JSON.stringify(entry.changes) : null,
    });
  }

  async list(orgId: string, filters: AuditListFilters): Promise<OffsetPage<AuditEventView>> {
    const page = await listAuditEvents(this.db, orgId, filters);
    return { ...page, items: page.items.map(toView) };
  }

  async get(orgId: string, id: string): Promise<AuditEventDetail> {
    const row = await findAuditEvent(this.db, orgId, id);
    if (!row) throw new NotFoundError('Audit event', id);
    return { ...toView(row), changedProperties: row.changes ? (JSON.parse(row.changes) as ChangedProperty[]) : [] };
  }

  /** Removes one organization's events older than its retention period. */
  async purgeExpired(orgId: string, retentionDays: number, now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
    return deleteAuditEventsBefore(this.db, orgId, cutoff);
  }
}
