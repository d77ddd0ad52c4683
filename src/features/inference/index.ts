export { ChatCompletionService, type Caller, type ChatCompletionResult } from './chat-completion.service.js';
export { chatCompletionRequest, readUsage, type ChatCompletionRequest, type TokenUsage } from './chat-completion.schemas.js';
export type { OutboundRequest } from './openai-compatible-provider.js';
export type { FetchFor } from './ai-sdk-provider.js';
export { createFetchFor } from './guarded-fetch.js';
export { ModelCatalog, type CatalogModel } from './model-catalog.js';
