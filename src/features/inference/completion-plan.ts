import { type AiGatewayService, type ResolvedAiGateway, buildGatewayRequest } from '../ai-gateways/index.js';
import type { ConnectionService, ResolvedConnection } from '../connections/index.js';
import type { ChatCompletionRequest } from './chat-completion.schemas.js';
import { parseModelReference } from './model-reference.js';

/** One way to serve a request: which provider endpoint, with which body. */
export interface CompletionTarget {
  /** Resolved lazily, so a misconfigured fallback only matters if it is reached; synchronous when nothing needs loading. */
  readonly connection: () => ResolvedConnection | Promise<ResolvedConnection>;
  readonly body: Record<string, unknown>;
  readonly upstreamModel: string;
  readonly complexityTier?: 'low' | 'medium' | 'high';
  /** The gateway's assistant prefill, when `includePrefillingInMessages` asks for it to open the reply. */
  readonly replyPrefix?: string;
}

/** The primary target first, then the gateway's fallbacks in order. */
export interface CompletionPlan {
  readonly gateway: ResolvedAiGateway | null;
  readonly targets: readonly CompletionTarget[];
  readonly estimatedPromptTokens: number;
}

export interface PlanDependencies {
  readonly connections: ConnectionService;
  readonly aiGateways: AiGatewayService;
}

const GATEWAY_TIMEOUT_MS = 120_000;

/** A gateway that names a base address instead of a connection: its own endpoint, checked by the outbound policy. */
function gatewayEndpoint(gateway: ResolvedAiGateway): ResolvedConnection {
  return {
    id: gateway.id,
    name: `gateway:${gateway.slug}`,
    type: 'OpenAiCompatible',
    baseUrl: gateway.parameters.baseAddress,
    timeoutMs: GATEWAY_TIMEOUT_MS,
    trusted: false,
    ...(gateway.parameters.apiKey ? { apiKey: gateway.parameters.apiKey } : {}),
  };
}

function estimate(request: ChatCompletionRequest): number {
  let characters = 0;
  for (const message of request.messages) {
    characters += typeof message.content === 'string' ? message.content.length : JSON.stringify(message.content ?? '').length;
  }
  return Math.ceil(characters / 4);
}

/**
 * Decides how a chat completion is served. `@<connection>/<model>` goes to that
 * connection as is; a gateway id or slug applies the gateway's parameters
 * (instructions, sampling, flags, context budget, complexity routing) and
 * lists its fallback models after the primary. A connection call whose
 * connection and policy are cached is planned synchronously.
 */
export function planCompletion(orgId: string, request: ChatCompletionRequest, deps: PlanDependencies): CompletionPlan | Promise<CompletionPlan> {
  const reference = parseModelReference(request.model);
  if (reference.kind === 'gateway') return planGatewayCompletion(orgId, reference.gatewayId, request, deps);
  const planFor = (connection: ResolvedConnection): CompletionPlan => ({
    gateway: null,
    targets: [{ connection: () => connection, body: { ...request, model: reference.model }, upstreamModel: reference.model }],
    estimatedPromptTokens: estimate(request),
  });
  const connection = deps.connections.resolve(orgId, reference.connection, { viaGateway: false });
  return connection instanceof Promise ? connection.then(planFor) : planFor(connection);
}

async function planGatewayCompletion(orgId: string, gatewayId: string, request: ChatCompletionRequest, deps: PlanDependencies): Promise<CompletionPlan> {
  const gateway = await deps.aiGateways.resolve(orgId, gatewayId);
  const targetFor = (modelName: string, routed: boolean): CompletionTarget => {
    const parameters = routed ? gateway.parameters : { ...gateway.parameters, modelName, modelRoutingParameters: null };
    const built = buildGatewayRequest(parameters, request);
    const connectionName = built.connection;
    return {
      connection: connectionName ? () => deps.connections.resolve(orgId, connectionName, { viaGateway: true }) : () => gatewayEndpoint(gateway),
      body: built.body,
      upstreamModel: built.metadata.upstreamModel,
      ...(built.metadata.complexityTier ? { complexityTier: built.metadata.complexityTier } : {}),
      ...(built.metadata.replyPrefix ? { replyPrefix: built.metadata.replyPrefix } : {}),
    };
  };
  const primary = targetFor(gateway.parameters.modelName, true);
  const fallbacks = (gateway.parameters.fallbackModels ?? []).map((model) => targetFor(model, false));
  return { gateway, targets: [primary, ...fallbacks], estimatedPromptTokens: estimate(request) };
}
