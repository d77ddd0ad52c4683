export { AiGatewayService, type ResolvedAiGateway } from './ai-gateway.service.js';
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
export { aiGatewayParametersSchema, aiModelFlagSchema, type AiGatewayParameters, type AiModelFlag } from './ai-gateway-parameters.js';
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
export type { ChatMessage } from './chat-message.js';
