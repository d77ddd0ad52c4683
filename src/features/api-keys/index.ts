export {
  ApiKeyService,
  type KeyLimits,
  type KeyVerification,
  type VerifiedKey,
  type IssueKeyInput,
  type OperatorKeyInput,
  type OperatorKeyView,
} from './api-key.service.js';
export { apiKeyListSchema, apiKeyViewSchema, createApiKeyBody, createdApiKeySchema, type ApiKeyView } from './api-key.schemas.js';
