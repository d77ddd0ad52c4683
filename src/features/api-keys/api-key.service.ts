import type { Actor } from '../../platform/actor.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { nowIso } from '../../platform/db/dialect.js';
import { BadRequestError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { digestSecret, generateApiKey, keyHint } from '../../platform/security/secrets.js';
import { type AuditService, changedProperties } from '../audit/index.js';
import {
  type ApiKeyRow,
  deleteApiKey,
  findApiKey,
  findApiKeyByHash,
  insertApiKey,
  listAllApiKeys,
  listApiKeys,
  updateApiKeySecret,
  updateApiKeyUsedAt,
} from './api-key.repository.js';
import type { AgentApiKeyView, ApiKeyView, CreateAgentApiKeyInput, CreateApiKeyInput, IssuedAgentApiKey } from './api-key.schemas.js';
import { VerifiedKeyCache } from './verified-key-cache.js';

export interface KeyLimits {
  readonly requestsPerMinute: number | null;
  readonly tokensPerDay: number | null;
}

export interface VerifiedKey {
  readonly id: string;
  readonly orgId: string;
  readonly agentId: string | null;
  readonly label: string;
  readonly limits: KeyLimits;
}

/**
 * What lets a valid verification be confirmed later without the secret (see
 * ApiKeyService.confirm): until when its row may be trusted, and the cache's
 * eviction count when it was made.
 */
export interface KeyConfirmation {
  readonly keyId: string;
  readonly trustedUntil: number;
  readonly generation: number;
  /** The key's own expiry, in epoch milliseconds. */
  readonly expiresAtMs: number | null;
}

export type KeyVerification =
  | { readonly status: 'valid'; readonly key: VerifiedKey; readonly confirmation: KeyConfirmation }
  | { readonly status: 'expired'; readonly expiredAt: string }
  | { readonly status: 'invalid' };

export interface IssueKeyInput {
  readonly label: string;
  readonly agentId?: string | null;
  readonly expiresAt?: string | null;
  /** An exact key to register (the operator's `AGENTRY_ADMIN_KEY`); generated when absent. */
  readonly secret?: string;
  readonly limits?: Partial<KeyLimits>;
}

export interface ApiKeyServiceOptions {
  readonly cacheTtlMs: number;
  /** How often at most `usedAt` is written per key, so reads stay reads. */
  readonly usedAtResolutionMs?: number;
  readonly onBackgroundError?: (error: unknown) => void;
}

export interface OperatorKeyInput {
  readonly label: string;
  /** ISO-8601; null for a key that never expires. */
  readonly expiresAt: string | null;
}

/** What operators see of a key: the tenant view plus the agent it is scoped to (null: organization-wide). */
export type OperatorKeyView = ApiKeyView & { readonly agentId: string | null };

const DAY_MS = 86_400_000;
const ENTITY_TYPE = 'ApiKey';
/** Same message whether the key is absent or another organization's, so nothing leaks. */
const KEY_NOT_FOUND_MESSAGE = 'API key not found or does not belong to the account.';

function toView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    label: row.label,
    key: `...${row.last_chars}`,
    createdAt: row.created_at,
    requestsPerMinute: row.requests_per_minute,
    tokensPerDay: row.tokens_per_day,
  };
}

function toAgentView(row: ApiKeyRow, agentId: string): AgentApiKeyView {
  return { ...toView(row), agentId };
}

function auditSnapshot(row: ApiKeyRow): Record<string, unknown> {
  return {
    label: row.label,
    agentId: row.agent_id,
    expiresAt: row.expires_at,
    key: `...${row.last_chars}`,
    requestsPerMinute: row.requests_per_minute,
    tokensPerDay: row.tokens_per_day,
  };
}

export class ApiKeyService {
  private readonly cache: VerifiedKeyCache;
  private readonly lastTouched = new Map<string, number>();
  /** `usedAt` writes still in flight, so a listing on this node reads its own writes. */
  private readonly pendingUseWrites = new Set<Promise<void>>();
  private readonly usedAtResolutionMs: number;

  constructor(
    private readonly db: DatabaseHandle,
    private readonly audit: AuditService,
    private readonly options: ApiKeyServiceOptions,
  ) {
    this.cache = new VerifiedKeyCache(options.cacheTtlMs);
    this.usedAtResolutionMs = options.usedAtResolutionMs ?? 60_000;
  }

  /** Issues a key inside the caller's transaction and returns the secret, which is never stored. */
  async issue(transaction: DatabaseHandle, actor: Actor, input: IssueKeyInput): Promise<{ id: string; secret: string }> {
    const { row, secret } = await this.insertKey(transaction, actor, input);
    return { id: row.id, secret };
  }

  private async insertKey(transaction: DatabaseHandle, actor: Actor, input: IssueKeyInput): Promise<{ row: ApiKeyRow; secret: string }> {
    const secret = input.secret ?? generateApiKey();
    const row: ApiKeyRow = {
      id: newId(),
      org_id: actor.orgId,
      agent_id: input.agentId ?? null,
      label: input.label,
      key_hash: digestSecret(secret),
      last_chars: keyHint(secret),
      expires_at: input.expiresAt ?? null,
      used_at: null,
      created_at: nowIso(),
      requests_per_minute: input.limits?.requestsPerMinute ?? null,
      tokens_per_day: input.limits?.tokensPerDay ?? null,
    };
    await insertApiKey(transaction, row);
    await this.audit.record(transaction, actor, {
      entityType: ENTITY_TYPE,
      entityId: row.id,
      changeType: 'Created',
      changes: changedProperties(null, auditSnapshot(row)),
    });
    return { row, secret };
  }

  async createOrganizationKey(actor: Actor, input: CreateApiKeyInput): Promise<{ id: string; secret: string }> {
    const expiresAt = input.duration ? new Date(Date.now() + input.duration * DAY_MS).toISOString() : null;
    const limits = { requestsPerMinute: input.requestsPerMinute ?? null, tokensPerDay: input.tokensPerDay ?? null };
    return this.db.transaction().execute((transaction) => this.issue(transaction, actor, { label: input.label, expiresAt, limits }));
  }

  async listOrganizationKeys(orgId: string): Promise<ApiKeyView[]> {
    await this.settleUseWrites();
    return (await listApiKeys(this.db, orgId, null)).map(toView);
  }

  /**
   * An organization-wide key made by the operator (`agentry keys create`). Unlike
   * the HTTP route it takes an exact expiry, so short-lived keys are possible.
   */
  async createKeyAsOperator(actor: Actor, input: OperatorKeyInput): Promise<{ id: string; secret: string }> {
    return this.db
      .transaction()
      .execute((transaction) => this.issue(transaction, actor, { label: input.label, expiresAt: input.expiresAt }));
  }

  /** All keys of the organization, agent-scoped ones included; never the secrets, which are not stored. */
  async listAllKeys(orgId: string): Promise<OperatorKeyView[]> {
    await this.settleUseWrites();
    return (await listAllApiKeys(this.db, orgId)).map((row) => ({ ...toView(row), agentId: row.agent_id }));
  }

  async deleteOrganizationKey(actor: Actor, keyId: string): Promise<void> {
    await this.db.transaction().execute(async (transaction) => {
      const row = await findApiKey(transaction, actor.orgId, keyId, null);
      if (!row) throw new BadRequestError('api_key_not_found', KEY_NOT_FOUND_MESSAGE);
      await this.deleteAudited(transaction, actor, row);
    });
    this.forgetKeys([keyId]);
  }

  /** A key scoped to one agent; the caller has checked that the agent exists in the organization. */
  async createAgentKey(actor: Actor, agentId: string, input: CreateAgentApiKeyInput): Promise<IssuedAgentApiKey> {
    const expiresAt = input.expiresAt ? new Date(input.expiresAt).toISOString() : null;
    if (expiresAt !== null && Date.parse(expiresAt) <= Date.now()) {
      throw ValidationError.field('body.expiresAt', 'in_the_past', 'must be in the future');
    }
    const { row, secret } = await this.db.transaction().execute((transaction) =>
      this.insertKey(transaction, actor, {
        label: input.label ?? input.name ?? '',
        agentId,
        expiresAt,
        limits: { requestsPerMinute: input.requestsPerMinute ?? null, tokensPerDay: input.tokensPerDay ?? null },
      }),
    );
    return { ...toAgentView(row, agentId), secret };
  }

  async listAgentKeys(orgId: string, agentId: string): Promise<AgentApiKeyView[]> {
    await this.settleUseWrites();
    return (await listApiKeys(this.db, orgId, agentId)).map((row) => toAgentView(row, agentId));
  }

  /** A new secret for the same key (id, label, expiry, limits); the old secret stops working on commit. */
  async rotateAgentKey(actor: Actor, agentId: string, keyId: string): Promise<IssuedAgentApiKey> {
    const secret = generateApiKey();
    const rotated = await this.db.transaction().execute(async (transaction) => {
      const before = await findApiKey(transaction, actor.orgId, keyId, agentId);
      if (!before) throw new NotFoundError('API key', keyId);
      const after: ApiKeyRow = { ...before, key_hash: digestSecret(secret), last_chars: keyHint(secret) };
      await updateApiKeySecret(transaction, actor.orgId, keyId, after);
      await this.audit.record(transaction, actor, {
        entityType: ENTITY_TYPE,
        entityId: keyId,
        changeType: 'Updated',
        changes: changedProperties(auditSnapshot(before), auditSnapshot(after)),
      });
      return after;
    });
    this.forgetKeys([keyId]);
    return { ...toAgentView(rotated, agentId), secret };
  }

  async deleteAgentKey(actor: Actor, agentId: string, keyId: string): Promise<void> {
    await this.db.transaction().execute(async (transaction) => {
      const row = await findApiKey(transaction, actor.orgId, keyId, agentId);
      if (!row) throw new NotFoundError('API key', keyId);
      await this.deleteAudited(transaction, actor, row);
    });
    this.forgetKeys([keyId]);
  }

  /** Deletes every key of an agent inside the caller's transaction; pass the ids to `forgetKeys` after commit. */
  async deleteAgentKeys(transaction: DatabaseHandle, actor: Actor, agentId: string): Promise<string[]> {
    const rows = await listApiKeys(transaction, actor.orgId, agentId);
    for (const row of rows) await this.deleteAudited(transaction, actor, row);
    return rows.map((row) => row.id);
  }

  /** Drops keys from the verification cache so a deleted or rotated secret is refused by the next request. */
  forgetKeys(keyIds: readonly string[]): void {
    const now = Date.now();
    for (const keyId of keyIds) {
      this.cache.evict(keyId, now);
      this.lastTouched.delete(keyId);
    }
  }

  private async deleteAudited(transaction: DatabaseHandle, actor: Actor, row: ApiKeyRow): Promise<void> {
    await deleteApiKey(transaction, actor.orgId, row.id);
    await this.audit.record(transaction, actor, {
      entityType: ENTITY_TYPE,
      entityId: row.id,
      changeType: 'Deleted',
      changes: changedProperties(auditSnapshot(row), null),
    });
  }

  /**
   * Verifies a presented key: synchronously when it was verified recently
   * (see cacheTtlMs), as nearly every request's key was, and with a promise
   * when the database must be asked.
   */
  verify(secret: string, now = Date.now()): KeyVerification | Promise<KeyVerification> {
    const keyHash = digestSecret(secret);
    const generation = this.cache.generation;
    const cached = this.cache.get(keyHash, now);
    if (cached) return this.verifyRow(cached.key, now, cached.cachedUntil, generation);
    return findApiKeyByHash(this.db, keyHash).then((row): KeyVerification => {
      if (!row) return { status: 'invalid' };
      return this.verifyRow(row, now, this.cache.set(row, now, now), generation);
    });
  }

  /**
   * Whether a valid verification still holds at `now`, without the secret:
   * true while its row may be trusted (the cache's TTL), no key was deleted
   * or rotated on this node since, and the key has not expired. It counts as
   * a use of the key. This is what lets a connection that sends the same key
   * again skip the digest (see createAuthenticator).
   */
  confirm(confirmation: KeyConfirmation, now: number): boolean {
    if (now >= confirmation.trustedUntil || confirmation.generation !== this.cache.generation) return false;
    if (confirmation.expiresAtMs !== null && confirmation.expiresAtMs <= now) return false;
    this.recordUse(confirmation.keyId, now);
    return true;
  }

  /**
   * `row` was found by the digest of the presented secret (the cache and the
   * table are both keyed by it), so the digests are already known equal; the
   * digest is what keeps the lookup's timing from telling anything about the
   * secret.
   */
  private verifyRow(row: ApiKeyRow, now: number, trustedUntil: number, generation: number): KeyVerification {
    const expiresAtMs = row.expires_at === null ? null : Date.parse(row.expires_at);
    if (expiresAtMs !== null && expiresAtMs <= now) {
      return { status: 'expired', expiredAt: row.expires_at! };
    }
    this.recordUse(row.id, now);
    return {
      status: 'valid',
      key: {
        id: row.id,
        orgId: row.org_id,
        agentId: row.agent_id,
        label: row.label,
        limits: { requestsPerMinute: row.requests_per_minute, tokensPerDay: row.tokens_per_day },
      },
      confirmation: { keyId: row.id, trustedUntil, generation, expiresAtMs },
    };
  }

  private recordUse(keyId: string, now: number): void {
    const last = this.lastTouched.get(keyId);
    if (last !== undefined && now - last < this.usedAtResolutionMs) return;
    this.lastTouched.set(keyId, now);
    // Off the request path: a failed write of `usedAt` must not fail the request.
    const write = updateApiKeyUsedAt(this.db, keyId, new Date(now).toISOString())
      .catch((error: unknown) => this.options.onBackgroundError?.(error))
      .finally(() => this.pendingUseWrites.delete(write));
    this.pendingUseWrites.add(write);
  }

  private async settleUseWrites(): Promise<void> {
    if (this.pendingUseWrites.size > 0) await Promise.all(this.pendingUseWrites);
  }
}
