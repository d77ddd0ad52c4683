export { AiGatewayService, type AgentKeyRevoker, type ResolvedAiGateway } from './ai-gateway.service.js';
export { AgentService, type AgentServiceDependencies } from './agent.service.js';
export type { AgentConnection } from './agent-model.js';
export { agentProfileSchema, agentStatusSchema, type AgentProfile, type AgentStatus, type DataSourceCollection } from './agent-profile.js';
export {
  agentByApiKeySchema,
  agentListQuery,
  agentPageSchema,
  agentSummarySchema,
  agentViewSchema,
  createAgentBody,
  updateAgentBody,
  type AgentByApiKey,
  type AgentSummary,
  type AgentView,
} from './agent.schemas.js';
export {
  aiGatewayListQuery,
  aiGatewaySummarySchema,
  aiGatewayViewSchema,
  createAiGatewayBody,
  createdAiGatewaySchema,
  updateAiGatewayBody,
  MASKED_API_KEY,
  type AiGatewaySummary,
  type AiGatewayView,
} from './ai-gateway.schemas.js';
export { acceptsImages, aiGatewayParametersSchema, aiModelFlagSchema, type AiGatewayParameters, type AiModelFlag } from './ai-gateway-parameters.js';
export {
  buildGatewayRequest,
  type ChatRequestBody,
  type GatewayRequest,
  type GatewayRequestMetadata,
  type GatewayRequestParameters,
  type UpstreamChatBody,
} from './gateway-request.js';
export { classifyComplexity, type ComplexityTier } from './classify-complexity.js';
export { estimatePromptTokens } from './context-budget.js';
export type { ChatContentPart, ChatMessage } from './chat-message.js';
