import type { Actor } from '../../platform/actor.js';
import { ConflictError, NotFoundError } from '../../platform/errors.js';
import type { OffsetPage } from '../../platform/paging.js';
import type { AgentApiKeyView, ApiKeyService, CreateAgentApiKeyInput, IssuedAgentApiKey } from '../api-keys/index.js';
import type { AiGatewayParameters } from './ai-gateway-parameters.js';
import type { AiGatewayView } from './ai-gateway.schemas.js';
import type { AiGatewayService } from './ai-gateway.service.js';
import { type AgentConnection, resolveAgentModel } from './agent-model.js';
import { agentProfileSchema } from './agent-profile.js';
import { toAgentByApiKey, toAgentSummary, toAgentView } from './agent-view.js';
import type { AgentByApiKey, AgentListQuery, AgentSummary, AgentView, CreateAgentInput, UpdateAgentInput } from './agent.schemas.js';

export interface AgentServiceDependencies {
  readonly aiGateways: AiGatewayService;
  readonly apiKeys: ApiKeyService;
  /** The connections the organization's agents may name: its own and the operator's. */
  readonly connections: (orgId: string) => Promise<readonly AgentConnection[]>;
  readonly organizationName: (orgId: string) => Promise<string>;
}

/** The Organization API carries the profile fields at the top level of the agent. */
const PROFILE_AT_TOP = { profileField: 'body' };

/** The agent contracts say "Agent", not "AI gateway", when the agent itself is missing. */
async function asAgent<T>(agentId: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const details = error instanceof NotFoundError ? (error.details as { id?: string }) : undefined;
    throw details?.id === agentId ? new NotFoundError('Agent', agentId) : error;
  }
}

/** The name and the profile fields of an agent request; its model fields become gateway parameters. */
function nameAndProfile(input: CreateAgentInput | Omit<UpdateAgentInput, 'id' | 'slug' | 'createdAt' | 'updatedAt'>) {
  const {
    name,
    systemMessage: _systemMessage,
    connectionId: _connectionId,
    modelName: _modelName,
    modelParameters: _modelParameters,
    reasoningEffort: _reasoningEffort,
    ...profile
  } = input;
  return { name, profile };
}

/** The sampling and instruction fields of an agent request, as gateway parameters; fields not sent stay absent. */
function modelSettings(input: Pick<CreateAgentInput, 'systemMessage' | 'reasoningEffort' | 'modelParameters'>): Partial<AiGatewayParameters> {
  const settings: Partial<AiGatewayParameters> = {};
  if (input.systemMessage !== undefined) settings.systemInstruction = input.systemMessage;
  if (input.reasoningEffort !== undefined) settings.reasoningEffort = input.reasoningEffort;
  const { temperature, topP, maxTokens } = input.modelParameters ?? {};
  if (temperature !== undefined) settings.temperature = temperature;
  if (topP !== undefined) settings.topP = topP;
  if (maxTokens !== undefined) settings.maxCompletionTokens = maxTokens;
  return settings;
}

/**
 * The agent contracts' view of AI gateways: an agent is a gateway, so every
 * write goes through AiGatewayService (validation, audit, slug) and every read
 * is a gateway shown in the agent's names.
 */
export class AgentService {
  constructor(private readonly deps: AgentServiceDependencies) {}

  /** An agent-scoped key (`onlyAgentId`) sees its own agent only. */
  async list(orgId: string, query: AgentListQuery, onlyAgentId: string | null): Promise<OffsetPage<AgentSummary>> {
    const needle = query.search?.trim().toLowerCase();
    const matching = (await this.deps.aiGateways.listViews(orgId)).filter(
      (gateway) => (onlyAgentId === null || gateway.id === onlyAgentId) && (!needle || gateway.name.toLowerCase().includes(needle)),
    );
    return {
      items: matching.slice(query.offset, query.offset + query.limit).map(toAgentSummary),
      totalCount: matching.length,
      offset: query.offset,
      limit: query.limit,
    };
  }

  async get(orgId: string, agentId: string): Promise<AgentView> {
    const [gateway, connections] = await Promise.all([this.requireAgent(orgId, agentId), this.deps.connections(orgId)]);
    return toAgentView(gateway, connections);
  }

  async create(actor: Actor, input: CreateAgentInput): Promise<AgentView> {
    const connections = await this.deps.connections(actor.orgId);
    const { profile } = nameAndProfile(input);
    const model = resolveAgentModel(input, null, connections) ?? { baseAddress: '', modelName: input.modelName };
    const created = await this.deps.aiGateways.create(actor, { name: input.name, parameters: { ...modelSettings(input), ...model }, profile }, PROFILE_AT_TOP);
    return toAgentView(created, connections);
  }

  async update(actor: Actor, agentId: string, request: UpdateAgentInput): Promise<AgentView> {
    const [current, connections] = await Promise.all([this.requireAgent(actor.orgId, agentId), this.deps.connections(actor.orgId)]);
    const { id: _id, slug: _slug, createdAt: _createdAt, updatedAt: _updatedAt, ...input } = request;
    const { name, profile } = nameAndProfile(input);
    const model = resolveAgentModel(input, current.parameters, connections);
    // A gateway moving from a base address to a connection no longer needs its provider key; keeping it would leave a stale secret.
    const dropsKey = model !== null && model.baseAddress === '' && current.parameters.baseAddress !== '';
    const parameters = { ...modelSettings(input), ...model, ...(dropsKey ? { apiKey: null } : {}) };
    const updated = await asAgent(
      agentId,
      this.deps.aiGateways.update(actor, agentId, { ...(name === undefined ? {} : { name }), parameters, profile }, PROFILE_AT_TOP),
    );
    return toAgentView(updated, connections);
  }

  async delete(actor: Actor, agentId: string): Promise<void> {
    await asAgent(agentId, this.deps.aiGateways.delete(actor, agentId));
  }

  /** The agent behind an agent-scoped key, with its organization (raia's `GET /external/agents/by-api-key`). */
  async byApiKey(orgId: string, agentId: string): Promise<AgentByApiKey> {
    const [gateway, organizationName] = await Promise.all([this.requireAgent(orgId, agentId), this.deps.organizationName(orgId)]);
    return toAgentByApiKey(gateway, { id: orgId, name: organizationName });
  }

  /**
   * Lets the agent's retrieval search a knowledge collection: adds `{ id }` to
   * its `dataSourceCollections` unless the collection is there already.
   */
  async attachCollection(actor: Actor, agentId: string, collectionId: string): Promise<void> {
    const current = (await this.requireAgent(actor.orgId, agentId)).profile.dataSourceCollections ?? [];
    if (current.some((collection) => collection.id === collectionId)) return;
    const next = [...current, { id: collectionId }];
    if (!agentProfileSchema.shape.dataSourceCollections.safeParse(next).success) {
      throw new ConflictError(
        `The agent already has ${current.length} data source collections, the most it may have; remove one (PUT /api/v1/Agent/${agentId}) to add another.`,
        'agent_collections_full',
      );
    }
    await asAgent(agentId, this.deps.aiGateways.update(actor, agentId, { profile: { dataSourceCollections: next } }, PROFILE_AT_TOP));
  }

  async createKey(actor: Actor, agentId: string, input: CreateAgentApiKeyInput): Promise<IssuedAgentApiKey> {
    await this.requireAgent(actor.orgId, agentId);
    return this.deps.apiKeys.createAgentKey(actor, agentId, input);
  }

  async listKeys(orgId: string, agentId: string): Promise<AgentApiKeyView[]> {
    await this.requireAgent(orgId, agentId);
    return this.deps.apiKeys.listAgentKeys(orgId, agentId);
  }

  async rotateKey(actor: Actor, agentId: string, keyId: string): Promise<IssuedAgentApiKey> {
    await this.requireAgent(actor.orgId, agentId);
    return this.deps.apiKeys.rotateAgentKey(actor, agentId, keyId);
  }

  async deleteKey(actor: Actor, agentId: string, keyId: string): Promise<void> {
    await this.requireAgent(actor.orgId, agentId);
    await this.deps.apiKeys.deleteAgentKey(actor, agentId, keyId);
  }

  private async requireAgent(orgId: string, agentId: string): Promise<AiGatewayView> {
    return asAgent(agentId, this.deps.aiGateways.get(orgId, agentId));
  }
}
