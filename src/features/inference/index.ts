import type * as AiSdkProvider from './ai-sdk-provider.js';
export { ChatCompletionService, type Caller, type ChatCompletionResult } from './chat-completion.service.js';
export { chatCompletionRequest, isWellFormedChatCompletionRequest, readUsage, type ChatCompletionRequest, type TokenUsage } from './chat-completion.schemas.js';
export type { OutboundRequest } from './openai-compatible-provider.js';
export type { FetchFor } from './ai-sdk-provider.js';
export { createFetchFor } from './guarded-fetch.js';
export { ModelCatalog, type CatalogModel } from './model-catalog.js';
/** The AI SDK adapter (`aiSdkFailure`, `connectionFetch`, `geminiProviderFor`), imported on first use so loading inference does not load the SDK. */
export const loadAiSdkProvider = (): Promise<typeof AiSdkProvider> => import('./ai-sdk-provider.js');
