export {
  ApiKeyService,
  type KeyLimits,
  type KeyConfirmation,
  type KeyVerification,
  type VerifiedKey,
  type IssueKeyInput,
  type OperatorKeyInput,
  type OperatorKeyView,
} from './api-key.service.js';
export {
  agentApiKeyViewSchema,
  apiKeyListSchema,
  apiKeyViewSchema,
  createAgentApiKeyBody,
  createApiKeyBody,
  createdApiKeySchema,
  issuedAgentApiKeySchema,
  type AgentApiKeyView,
  type ApiKeyView,
  type CreateAgentApiKeyInput,
  type IssuedAgentApiKey,
} from './api-key.schemas.js';
