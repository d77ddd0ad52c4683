import type { Actor } from '../../platform/actor.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { isUniqueViolation, nowIso } from '../../platform/db/dialect.js';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { SecretBox } from '../../platform/security/secret-box.js';
import { type AuditService, changedProperties } from '../audit/index.js';
import { type AiGatewayParameters, CONNECTION_MODEL_PATTERN } from './ai-gateway-parameters.js';
import { type AgentProfile, mergeAgentProfile } from './agent-profile.js';
import { assertSubAgents } from './agent-sub-agents.js';
import {
  type AiGatewayRow,
  deleteAiGateway,
  findAiGateway,
  findAiGatewayBySlug,
  insertAiGateway,
  listAiGateways,
  listSlugs,
  updateAiGateway,
} from './ai-gateway.repository.js';
import {
  type AiGatewaySummary,
  type AiGatewayView,
  type CreateAiGatewayInput,
  MASKED_API_KEY,
  type UpdateAiGatewayInput,
} from './ai-gateway.schemas.js';
import { firstFreeSlug, slugFromName } from './ai-gateway-slug.js';

/** Agent-scoped keys die with their agent (ApiKeyService provides this). */
export interface AgentKeyRevoker {
  /** Deletes the agent's keys inside the caller's transaction and returns their ids. */
  deleteAgentKeys(transaction: DatabaseHandle, actor: Actor, agentId: string): Promise<readonly string[]>;
  /** Drops keys from the verification cache; called after commit, so no request re-caches a deleted key. */
  forgetKeys(keyIds: readonly string[]): void;
}

export interface AiGatewayServiceDependencies {
  readonly db: DatabaseHandle;
  readonly audit: AuditService;
  readonly secrets: SecretBox;
  /** Refuses base addresses the outbound address policy does not allow. */
  readonly checkBaseUrl: (url: string) => Promise<void>;
  readonly agentKeys: AgentKeyRevoker;
}

export interface AiGatewayWriteOptions {
  /**
   * Where the contract's body carries the profile fields, so errors name the
   * field the client sent: `body.profile` on the Gateway API, `body` on the
   * Organization API, whose agents have them at the top level.
   */
  readonly profileField?: string;
}

/** A gateway as inference uses it; holds the decrypted provider key, so it never leaves the server. */
export interface ResolvedAiGateway {
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  readonly parameters: AiGatewayParameters;
  /** The agent side: initial message, feedback, sub-agents…; fields never set are absent. */
  readonly profile: AgentProfile;
}

/** Parameters as the row stores them: `apiKey` is never among them, it lives sealed in its own column. */
type StoredParameters = AiGatewayParameters;

const ENTITY_TYPE = 'AiGateway';
/** Gateways are served by the OpenAI-compatible endpoint, with `model` set to the gateway id. */
const INFERENCE_ENDPOINT = '/v1/chat/completions';
const SECRET_PROPERTIES = ['parameters.apiKey'];
const ROUTING_TIERS = ['lowComplexityModelName', 'mediumComplexityModelName', 'highComplexityModelName'] as const;

function apiKeyContext(row: Pick<AiGatewayRow, 'org_id' | 'id'>): string {
  return `ai-gateway:${row.org_id}:${row.id}`;
}

function storedParameters(row: AiGatewayRow): StoredParameters {
  return JSON.parse(row.parameters) as StoredParameters;
}

function storedProfile(row: AiGatewayRow): AgentProfile {
  return JSON.parse(row.profile) as AgentProfile;
}

function auditSnapshot(row: AiGatewayRow): Record<string, unknown> {
  const profile = storedProfile(row);
  return {
    name: row.name,
    slug: row.slug,
    parameters: { ...storedParameters(row), apiKey: row.api_key ? 'set' : null },
    // Omitted while empty so gateways that never had a profile log no `profile` change.
    ...(Object.keys(profile).length > 0 ? { profile } : {}),
  };
}

function profileFieldOf(options: AiGatewayWriteOptions): string {
  return options.profileField ?? 'body.profile';
}

function viaConnection(model: string): boolean {
  return CONNECTION_MODEL_PATTERN.test(model);
}

/**
 * The spec requires `baseAddress`; Agentry lets it be empty when every model
 * the gateway may call names a connection, which then supplies address and key.
 * Both at once is refused: it would be unclear where requests go.
 */
function assertAddressable(parameters: StoredParameters): void {
  const field = 'body.parameters.baseAddress';
  if (parameters.baseAddress !== '' && viaConnection(parameters.modelName)) {
    throw ValidationError.field(field, 'conflict', 'must be empty when modelName is `@<connection>/<model>`: the connection supplies the address');
  }
  if (parameters.baseAddress !== '') return;
  if (!viaConnection(parameters.modelName)) {
    throw ValidationError.field(field, 'required', 'is required unless modelName is `@<connection>/<model>`');
  }
  const routing = parameters.modelRoutingParameters;
  for (const tier of ROUTING_TIERS) {
    if (routing && !viaConnection(routing[tier])) {
      throw ValidationError.field(`body.parameters.modelRoutingParameters.${tier}`, 'required', 'must be `@<connection>/<model>` when baseAddress is empty');
    }
  }
}

const RESOLVED_TTL_MS = 2_000;
const RESOLVED_MAX_ENTRIES = 10_000;

export class AiGatewayService {
  private readonly resolved = new Map<string, { value: ResolvedAiGateway; expiresAt: number }>();
  private generation = 0;

  constructor(private readonly deps: AiGatewayServiceDependencies) {}

  async list(orgId: string, filter?: string): Promise<AiGatewaySummary[]> {
    const needle = filter?.trim().toLowerCase();
    const summaries = (await listAiGateways(this.deps.db, orgId)).map((row) => ({
      id: row.id,
      name: row.name,
      inferenceEndpoint: INFERENCE_ENDPOINT,
      modelName: storedParameters(row).modelName,
      slug: row.slug,
    }));
    if (!needle) return summaries;
    return summaries.filter((summary) =>
      [summary.name, summary.modelName, summary.slug, summary.id].some((value) => value.toLowerCase().includes(needle)),
    );
  }

  /** Every gateway of the organization as GET shows it, by name. */
  async listViews(orgId: string): Promise<AiGatewayView[]> {
    return (await listAiGateways(this.deps.db, orgId)).map((row) => this.toView(row));
  }

  async get(orgId: string, id: string): Promise<AiGatewayView> {
    const row = await findAiGateway(this.deps.db, orgId, id);
    if (!row) throw new NotFoundError('AI gateway', id);
    return this.toView(row);
  }

  /**
   * The gateway a `/v1` request or an agent turn names, by id or slug, with
   * its provider key decrypted. Kept for RESOLVED_TTL_MS: a turn resolves its
   * agent several times and every `/v1` call once. Writes on this node forget
   * the organization's entries at once; other nodes see a change within the TTL.
   */
  async resolve(orgId: string, idOrSlug: string): Promise<ResolvedAiGateway> {
    const key = `${orgId}\u0000${idOrSlug}`;
    const cached = this.resolved.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    const generation = this.generation;
    const row = (await findAiGateway(this.deps.db, orgId, idOrSlug)) ?? (await findAiGatewayBySlug(this.deps.db, orgId, idOrSlug));
    if (!row) throw new NotFoundError('AI gateway', idOrSlug);
    const apiKey = row.api_key ? this.deps.secrets.decrypt(row.api_key, apiKeyContext(row)) : null;
    const value: ResolvedAiGateway = { id: row.id, name: row.name, slug: row.slug, parameters: { ...storedParameters(row), apiKey }, profile: storedProfile(row) };
    // A write that happened while this row was read must not be undone by caching the old row.
    if (generation === this.generation) {
      if (this.resolved.size >= RESOLVED_MAX_ENTRIES) this.resolved.clear();
      this.resolved.set(key, { value, expiresAt: Date.now() + RESOLVED_TTL_MS });
    }
    return value;
  }

  /** Drops every cached gateway of the organization (a write may rename slugs or change sub-agents of others). */
  private forget(orgId: string): void {
    this.generation += 1;
    const prefix = `${orgId}\u0000`;
    for (const key of this.resolved.keys()) if (key.startsWith(prefix)) this.resolved.delete(key);
  }

  async create(actor: Actor, input: CreateAiGatewayInput, options: AiGatewayWriteOptions = {}): Promise<AiGatewayView> {
    const { apiKey, ...parameters } = input.parameters;
    if (apiKey === MASKED_API_KEY) {
      throw ValidationError.field('body.parameters.apiKey', 'masked', `is the mask reads show; send the key itself, or null`);
    }
    assertAddressable(parameters);
    if (parameters.baseAddress !== '') await this.deps.checkBaseUrl(parameters.baseAddress);
    const profile = mergeAgentProfile({}, input.profile ?? {});
    const now = nowIso();
    const row: AiGatewayRow = {
      id: newId(),
      org_id: actor.orgId,
      name: input.name,
      slug: input.slug ?? '',
      parameters: JSON.stringify(parameters),
      api_key: null,
      profile: JSON.stringify(profile),
      created_at: now,
      updated_at: now,
    };
    if (apiKey) row.api_key = this.deps.secrets.encrypt(apiKey, apiKeyContext(row));
    await this.writeUnique(() =>
      this.deps.db.transaction().execute(async (transaction) => {
        await assertSubAgents(transaction, actor.orgId, null, profile.subAgents, `${profileFieldOf(options)}.subAgents`);
        if (!input.slug) row.slug = firstFreeSlug(slugFromName(input.name), new Set(await listSlugs(transaction, actor.orgId)));
        await insertAiGateway(transaction, row);
        await this.deps.audit.record(transaction, actor, {
          entityType: ENTITY_TYPE,
          entityId: row.id,
          changeType: 'Created',
          changes: changedProperties(null, auditSnapshot(row), SECRET_PROPERTIES),
        });
      }),
    );
    this.forget(actor.orgId);
    return this.toView(row);
  }

  async update(actor: Actor, id: string, input: UpdateAiGatewayInput, options: AiGatewayWriteOptions = {}): Promise<AiGatewayView> {
    const { apiKey, ...sent } = input.parameters ?? {};
    if (sent.baseAddress) await this.deps.checkBaseUrl(sent.baseAddress);
    const updated = await this.writeUnique(() =>
      this.deps.db.transaction().execute(async (transaction) => {
        const before = await findAiGateway(transaction, actor.orgId, id);
        if (!before) throw new NotFoundError('AI gateway', id);
        const parameters: StoredParameters = { ...storedParameters(before), ...sent };
        assertAddressable(parameters);
        const profile = mergeAgentProfile(storedProfile(before), input.profile ?? {});
        if (input.profile?.subAgents) {
          await assertSubAgents(transaction, actor.orgId, id, profile.subAgents, `${profileFieldOf(options)}.subAgents`);
        }
        const replacesKey = typeof apiKey === 'string' && apiKey !== MASKED_API_KEY;
        const after: AiGatewayRow = {
          ...before,
          name: input.name ?? before.name,
          slug: input.slug ?? before.slug,
          parameters: JSON.stringify(parameters),
          profile: JSON.stringify(profile),
          api_key: replacesKey ? this.deps.secrets.encrypt(apiKey, apiKeyContext(before)) : apiKey === null ? null : before.api_key,
          updated_at: nowIso(),
        };
        const changes = changedProperties(auditSnapshot(before), auditSnapshot(after), SECRET_PROPERTIES);
        // A new key is a change even when both snapshots just say "set".
        if (replacesKey && before.api_key !== null) changes.push({ propertyName: 'parameters.apiKey', oldValue: '***', newValue: '***' });
        if (changes.length === 0) return before;
        const { id: _id, org_id: _org, created_at: _created, ...changed } = after;
        await updateAiGateway(transaction, actor.orgId, id, changed);
        await this.deps.audit.record(transaction, actor, { entityType: ENTITY_TYPE, entityId: id, changeType: 'Updated', changes });
        return after;
      }),
    );
    this.forget(actor.orgId);
    return this.toView(updated);
  }

  /** Deletes the gateway, its agent-scoped keys, and its place in other agents' sub-agents. */
  async delete(actor: Actor, id: string): Promise<void> {
    const revokedKeys = await this.deps.db.transaction().execute(async (transaction) => {
      const before = await findAiGateway(transaction, actor.orgId, id);
      if (!before) throw new NotFoundError('AI gateway', id);
      await deleteAiGateway(transaction, actor.orgId, id);
      await this.deps.audit.record(transaction, actor, {
        entityType: ENTITY_TYPE,
        entityId: id,
        changeType: 'Deleted',
        changes: changedProperties(auditSnapshot(before), null, SECRET_PROPERTIES),
      });
      await this.dropSubAgent(transaction, actor, id);
      return this.deps.agentKeys.deleteAgentKeys(transaction, actor, id);
    });
    this.deps.agentKeys.forgetKeys(revokedKeys);
    this.forget(actor.orgId);
  }

  /** A deleted agent leaves the sub-agent lists that named it, so a GET-then-PUT of those agents still validates. */
  private async dropSubAgent(transaction: DatabaseHandle, actor: Actor, subAgentId: string): Promise<void> {
    for (const row of await listAiGateways(transaction, actor.orgId)) {
      const profile = storedProfile(row);
      if (!profile.subAgents?.includes(subAgentId)) continue;
      const after: AiGatewayRow = {
        ...row,
        profile: JSON.stringify({ ...profile, subAgents: profile.subAgents.filter((id) => id !== subAgentId) }),
        updated_at: nowIso(),
      };
      await updateAiGateway(transaction, actor.orgId, row.id, { profile: after.profile, updated_at: after.updated_at });
      await this.deps.audit.record(transaction, actor, {
        entityType: ENTITY_TYPE,
        entityId: row.id,
        changeType: 'Updated',
        changes: changedProperties(auditSnapshot(row), auditSnapshot(after), SECRET_PROPERTIES),
      });
    }
  }

  private toView(row: AiGatewayRow): AiGatewayView {
    return {
      id: row.id,
      name: row.name,
      slug: row.slug,
      parameters: { ...storedParameters(row), apiKey: row.api_key ? MASKED_API_KEY : null },
      profile: storedProfile(row),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  private async writeUnique<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('Another AI gateway of the organization has that slug.', 'ai_gateway_slug_taken');
      throw error;
    }
  }
}
