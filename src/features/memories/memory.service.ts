import type { Actor } from '../../platform/actor.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { isUuid, newId } from '../../platform/ids.js';
import { type AuditService, changedProperties } from '../audit/index.js';
import { memoryPurgeJob } from './memory.jobs.js';
import { mostRelevant } from './memory-relevance.js';
import {
  type DeletedMemory,
  type MemoryRow,
  deleteExpiredMemories,
  deleteMemory,
  deleteUserMemories,
  findLiveMemory,
  findSameMemory,
  insertMemory,
  listMemories,
  listUserMemories,
  refreshMemory,
} from './memory.repository.js';
import {
  MEMORY_CONTENT_MAX_CHARACTERS,
  type MemoriesDeleted,
  type MemoryFormat,
  type MemoryListQuery,
  type MemorySelector,
  type MemorySummary,
  type MemoryView,
} from './memory.schemas.js';

export interface MemoryServiceDependencies {
  readonly db: DatabaseHandle;
  readonly audit: AuditService;
  readonly now?: () => Date;
}

export interface RememberInput {
  readonly orgId: string;
  readonly agentId: string | null;
  readonly externalUserId: string;
  readonly format: MemoryFormat;
  readonly content: string;
  /** Required for DateReminder, refused for Text; any ISO 8601 date-time, stored in UTC. */
  readonly expiresAt?: string | undefined;
}

export interface ForUserOptions {
  /** The text to rank memories against (usually the user's message). */
  readonly query?: string | undefined;
  readonly limit?: number | undefined;
  /** The agent's `includeAllMemoryContext`: every unexpired memory instead of the most relevant. */
  readonly includeAll: boolean;
}

const ENTITY_TYPE = 'Memory';
const DELETED_MESSAGE = 'Memories deleted successfully.';
/** Relevance is ranked among the user's newest memories; older ones past this are not read per turn. */
const RELEVANCE_CANDIDATES = 500;
const DEFAULT_RELEVANT = 10;
/** Even "all memories" stays bounded: the prompt has a budget. */
const ALL_MEMORIES_LIMIT = 200;
const PURGE_BATCH = 500;

function toView(row: MemoryRow): MemoryView {
  return {
    id: row.id,
    externalUserId: row.external_user_id,
    content: row.content,
    format: row.format,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    agentId: row.agent_id,
    updatedAt: row.updated_at,
  };
}

function toSummary(row: MemoryRow): MemorySummary {
  return { id: row.id, externalUserId: row.external_user_id, content: row.content, format: row.format };
}

/** The content is left out: deleting a memory must not keep a copy of what was forgotten in the audit log. */
function auditDeletion(memory: DeletedMemory) {
  return changedProperties({ externalUserId: memory.external_user_id, format: memory.format }, null);
}

/**
 * What agents remember about an organization's external users: written by the
 * Remember tool during turns, read into the prompts of later turns, and
 * listed and deleted through the Gateway API.
 */
export class MemoryService {
  /** The jobs this service runs; the container registers them with the worker. */
  readonly jobs = {
    purgeExpired: memoryPurgeJob(this),
  };

  constructor(private readonly deps: MemoryServiceDependencies) {}

  async list(orgId: string, query: MemoryListQuery): Promise<{ items: MemorySummary[]; totalCount: number }> {
    const page = await listMemories(this.deps.db, orgId, query, this.now());
    return { items: page.items.map(toSummary), totalCount: page.totalCount };
  }

  async get(orgId: string, id: string): Promise<MemoryView> {
    // Ids are UUIDs; anything else cannot name a memory, and PostgreSQL need not be asked.
    const row = isUuid(id) ? await findLiveMemory(this.deps.db, orgId, id, this.now()) : undefined;
    if (!row) throw new NotFoundError(ENTITY_TYPE, id);
    return toView(row);
  }

  /** Deletes one memory (404 when unknown) or a user's memories (none is not an error). */
  async delete(actor: Actor, selector: MemorySelector): Promise<MemoriesDeleted> {
    const now = this.now();
    return this.deps.db.transaction().execute(async (transaction) => {
      const removed =
        'id' in selector
          ? await deleteMemory(transaction, actor.orgId, selector.id, now)
          : await deleteUserMemories(transaction, actor.orgId, selector.externalUserId, selector.format, now);
      if ('id' in selector && removed.length === 0) throw new NotFoundError(ENTITY_TYPE, selector.id);
      for (const memory of removed) {
        await this.deps.audit.record(transaction, actor, { entityType: ENTITY_TYPE, entityId: memory.id, changeType: 'Deleted', changes: auditDeletion(memory) });
      }
      const first = removed[0];
      return 'id' in selector
        ? { message: DELETED_MESSAGE, removedCount: removed.length, externalUserId: first?.external_user_id ?? null, format: first?.format ?? null }
        : { message: DELETED_MESSAGE, removedCount: removed.length, externalUserId: selector.externalUserId, format: selector.format ?? null };
    });
  }

  /**
   * Stores a memory for the user. Storing the same content again (same user
   * and format) refreshes the existing memory instead of adding a twin, so an
   * agent that repeats itself does not fill the prompt with duplicates.
   */
  async remember(input: RememberInput): Promise<MemoryView> {
    const content = input.content.trim();
    if (content.length === 0) throw ValidationError.field('content', 'required', 'must not be empty');
    if (content.length > MEMORY_CONTENT_MAX_CHARACTERS) {
      throw ValidationError.field('content', 'too_big', `must be at most ${MEMORY_CONTENT_MAX_CHARACTERS} characters`);
    }
    if (input.externalUserId.trim() === '') throw ValidationError.field('externalUserId', 'required', 'must not be empty');
    const now = this.now();
    const expiresAt = this.expiryOf(input, now);
    const existing = await findSameMemory(this.deps.db, input.orgId, { external_user_id: input.externalUserId, format: input.format, content }, now);
    if (existing) {
      const refreshed = { agent_id: input.agentId ?? existing.agent_id, expires_at: expiresAt, updated_at: now };
      await refreshMemory(this.deps.db, input.orgId, existing.id, refreshed);
      return toView({ ...existing, ...refreshed });
    }
    const row: MemoryRow = {
      id: newId(),
      org_id: input.orgId,
      agent_id: input.agentId,
      external_user_id: input.externalUserId,
      format: input.format,
      content,
      expires_at: expiresAt,
      created_at: now,
      updated_at: now,
    };
    await insertMemory(this.deps.db, row);
    return toView(row);
  }

  /**
   * The user's unexpired memories for a prompt: all of them (newest first, up
   * to `limit` or 200) when `includeAll`, else the `limit` (default 10) most
   * relevant to `query`, newest first among equals.
   */
  async forUser(orgId: string, externalUserId: string, options: ForUserOptions): Promise<MemoryView[]> {
    const limit = Math.max(1, Math.floor(options.limit ?? (options.includeAll ? ALL_MEMORIES_LIMIT : DEFAULT_RELEVANT)));
    if (options.includeAll) {
      return (await listUserMemories(this.deps.db, orgId, externalUserId, this.now(), limit)).map(toView);
    }
    const candidates = await listUserMemories(this.deps.db, orgId, externalUserId, this.now(), RELEVANCE_CANDIDATES);
    return mostRelevant(options.query ?? '', candidates, (row) => row.content, limit).map(toView);
  }

  /** Deletes expired reminders of every organization; returns how many. */
  async purgeExpired(options: { signal?: AbortSignal } = {}): Promise<number> {
    const now = this.now();
    let purged = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const deleted = await deleteExpiredMemories(this.deps.db, now, PURGE_BATCH);
      purged += deleted;
      if (deleted < PURGE_BATCH) return purged;
    }
  }

  private expiryOf(input: RememberInput, now: string): string | null {
    if (input.format === 'Text') {
      if (input.expiresAt !== undefined) throw ValidationError.field('expiresAt', 'not_allowed', 'applies only to DateReminder memories');
      return null;
    }
    if (input.expiresAt === undefined) throw ValidationError.field('expiresAt', 'required', 'is required for DateReminder memories');
    const expiresAt = new Date(input.expiresAt);
    if (Number.isNaN(expiresAt.getTime())) throw ValidationError.field('expiresAt', 'invalid_format', 'must be an ISO 8601 date-time');
    const stored = expiresAt.toISOString();
    if (stored <= now) throw ValidationError.field('expiresAt', 'too_small', 'must be in the future');
    return stored;
  }

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }
}
