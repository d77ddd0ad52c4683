import type { AiGatewayView } from './ai-gateway.schemas.js';
import { type AgentConnection, connectionIdOf, splitGatewayModel } from './agent-model.js';
import type { AgentByApiKey, AgentSummary, AgentView } from './agent.schemas.js';

/**
 * Reads of a gateway in the agent contracts' shapes. Profile fields never set
 * read as their defaults, so a gateway made on the Gateway API is a complete
 * agent too.
 */

export function toAgentSummary(gateway: AiGatewayView): AgentSummary {
  return {
    id: gateway.id,
    name: gateway.name,
    createdAt: gateway.createdAt,
    isPublic: gateway.profile.isPublic ?? false,
    icon: gateway.profile.icon ?? null,
    iconColor: gateway.profile.iconColor ?? null,
    modelName: splitGatewayModel(gateway.parameters.modelName).model,
  };
}

export function toAgentView(gateway: AiGatewayView, connections: readonly AgentConnection[]): AgentView {
  const { parameters, profile } = gateway;
  return {
    id: gateway.id,
    name: gateway.name,
    slug: gateway.slug,
    description: profile.description ?? null,
    systemMessage: parameters.systemInstruction ?? null,
    initialMessage: profile.initialMessage ?? null,
    connectionId: connectionIdOf(parameters.modelName, connections),
    modelName: splitGatewayModel(parameters.modelName).model,
    modelParameters: {
      temperature: parameters.temperature ?? null,
      topP: parameters.topP ?? null,
      maxTokens: parameters.maxCompletionTokens ?? null,
    },
    reasoningEffort: parameters.reasoningEffort ?? null,
    dataSourceCollections: profile.dataSourceCollections ?? [],
    sharedTools: profile.sharedTools ?? [],
    privateTools: profile.privateTools ?? [],
    subAgents: profile.subAgents ?? [],
    isPublic: profile.isPublic ?? false,
    publicChat: profile.publicChat ?? false,
    widgetSettings: profile.widgetSettings ?? null,
    enableFeedback: profile.enableFeedback ?? false,
    enableFileUpload: profile.enableFileUpload ?? false,
    icon: profile.icon ?? null,
    iconColor: profile.iconColor ?? null,
    publicName: profile.publicName ?? null,
    role: profile.role ?? null,
    status: profile.status ?? 'active',
    tags: profile.tags ?? null,
    createdAt: gateway.createdAt,
    updatedAt: gateway.updatedAt,
  };
}

export function toAgentByApiKey(gateway: AiGatewayView, organization: { readonly id: string; readonly name: string }): AgentByApiKey {
  const { profile } = gateway;
  return {
    organizationId: organization.id,
    organizationName: organization.name,
    id: gateway.id,
    name: gateway.name,
    publicName: profile.publicName ?? gateway.name,
    role: profile.role ?? '',
    ...(profile.description ? { description: profile.description } : {}),
    vectorStoreId: '',
    ...(profile.icon ? { avatarUrl: profile.icon } : {}),
    status: profile.status ?? 'active',
    tags: profile.tags ?? null,
  };
}
