import type { Readable } from 'node:stream';
import { AppError, NotFoundError } from '../../platform/errors.js';
import type { ConnectionService } from '../connections/index.js';
import type { ChatCompletionRequest } from './chat-completion.schemas.js';
import { parseModelReference } from './model-reference.js';
import { type OutboundRequest, postChatCompletion } from './openai-compatible-provider.js';

export type ChatCompletionResult =
  | { readonly kind: 'json'; readonly body: Record<string, unknown> }
  | { readonly kind: 'stream'; readonly body: Readable };

export interface ChatCompletionServiceDependencies {
  readonly connections: ConnectionService;
  readonly outbound: OutboundRequest;
}

/** Types spoken over the OpenAI wire format; the others need an adapter (not built yet). */
const OPENAI_WIRE_TYPES = new Set(['OpenAiCompatible', 'Ollama']);

export class ChatCompletionService {
  constructor(private readonly deps: ChatCompletionServiceDependencies) {}

  async complete(orgId: string, request: ChatCompletionRequest, signal: AbortSignal): Promise<ChatCompletionResult> {
    const reference = parseModelReference(request.model);
    if (reference.kind === 'gateway') throw new NotFoundError('Model or gateway', request.model);
    const connection = await this.deps.connections.resolve(orgId, reference.connection, { viaGateway: false });
    if (!OPENAI_WIRE_TYPES.has(connection.type)) {
      throw new AppError(
        'unprocessable',
        'provider_not_supported',
        `Chat completions through ${connection.type} connections are not available yet; use an OpenAI-compatible connection.`,
      );
    }
    const body = JSON.stringify({ ...request, model: reference.model });
    const response = await postChatCompletion(this.deps.outbound, connection, body, { signal });
    const contentType = String(response.headers['content-type'] ?? '');
    if (request.stream && contentType.includes('text/event-stream')) return { kind: 'stream', body: response.body };
    const completion = (await response.body.json()) as Record<string, unknown>;
    // Clients see the model they asked for, as with a gateway id.
    return { kind: 'json', body: { ...completion, model: request.model } };
  }
}
