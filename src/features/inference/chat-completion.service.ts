import type { Readable } from 'node:stream';
import { AppError, NotFoundError } from '../../platform/errors.js';
import { SseRelay } from '../../platform/http/sse-relay.js';
import type { ConnectionService } from '../connections/index.js';
import type { PriceTable, UsageRecorder } from '../usage/index.js';
import type { ChatCompletionRequest } from './chat-completion.schemas.js';
import { CompletionMeter } from './completion-meter.js';
import { parseModelReference } from './model-reference.js';
import { type OutboundRequest, postChatCompletion } from './openai-compatible-provider.js';

export type ChatCompletionResult =
  | { readonly kind: 'json'; readonly body: Record<string, unknown> }
  | { readonly kind: 'stream'; readonly body: Readable };

export interface ChatCompletionServiceDependencies {
  readonly connections: ConnectionService;
  readonly outbound: OutboundRequest;
  readonly prices: PriceTable;
  readonly usage: UsageRecorder;
  /** Throws when the organization may not spend (an operator-set balance is used up). */
  readonly assertCanSpend: (orgId: string) => Promise<void>;
}

export interface Caller {
  readonly orgId: string;
  readonly keyId: string | null;
}

export interface CompletionOptions {
  readonly signal: AbortSignal;
  /** Silence after which a streamed response gets a keep-alive comment; 0 for none. */
  readonly pingIntervalMs: number;
}

/** Types spoken over the OpenAI wire format; the others need an adapter (not built yet). */
const OPENAI_WIRE_TYPES = new Set(['OpenAiCompatible', 'Ollama']);

function estimatePromptTokens(request: ChatCompletionRequest): number {
  let characters = 0;
  for (const message of request.messages) characters += typeof message.content === 'string' ? message.content.length : JSON.stringify(message.content ?? '').length;
  return Math.ceil(characters / 4);
}

const USAGE_FIELD = /"usage"\s*:\s*\{/;
const NO_CHOICES = /"choices"\s*:\s*\[\s*\]/;

function isUsageOnlyFrame(data: string): boolean {
  return USAGE_FIELD.test(data) && NO_CHOICES.test(data);
}

export class ChatCompletionService {
  constructor(private readonly deps: ChatCompletionServiceDependencies) {}

  async complete(caller: Caller, request: ChatCompletionRequest, options: CompletionOptions): Promise<ChatCompletionResult> {
    const reference = parseModelReference(request.model);
    if (reference.kind === 'gateway') throw new NotFoundError('Model or gateway', request.model);
    const connection = await this.deps.connections.resolve(caller.orgId, reference.connection, { viaGateway: false });
    if (!OPENAI_WIRE_TYPES.has(connection.type)) {
      throw new AppError(
        'unprocessable',
        'provider_not_supported',
        `Chat completions through ${connection.type} connections are not available yet; use an OpenAI-compatible connection.`,
      );
    }
    await this.deps.assertCanSpend(caller.orgId);

    const meter = new CompletionMeter(
      {
        orgId: caller.orgId,
        keyId: caller.keyId,
        gatewayId: null,
        connection: connection.name,
        model: request.model,
        upstreamModel: reference.model,
        streamed: request.stream === true,
        estimatedPromptTokens: estimatePromptTokens(request),
      },
      this.deps.prices,
      this.deps.usage,
    );
    const clientWantsUsage = request.stream_options?.include_usage === true;
    // Streams always ask the provider for usage, so every call is metered; the client sees it only if it asked.
    const upstreamBody = request.stream
      ? { ...request, model: reference.model, stream_options: { ...request.stream_options, include_usage: true } }
      : { ...request, model: reference.model };

    let response;
    try {
      response = await postChatCompletion(this.deps.outbound, connection, JSON.stringify(upstreamBody), { signal: options.signal });
    } catch (error) {
      meter.finish(options.signal.aborted ? 'aborted' : 'error', error instanceof AppError ? error.code : 'internal_error');
      throw error;
    }

    const contentType = String(response.headers['content-type'] ?? '');
    if (request.stream && contentType.includes('text/event-stream')) {
      return { kind: 'stream', body: this.relay(response.body, meter, options, clientWantsUsage) };
    }
    meter.markFirstToken();
    const completion = (await response.body.json()) as Record<string, unknown>;
    meter.observeUsage(completion.usage);
    meter.finish('ok');
    return {
      kind: 'json',
      // Clients see the model they asked for, and what the call cost.
      body: { ...completion, model: request.model, generation_context: { generated_usage: meter.price().lineItems, runned_functions: [] } },
    };
  }

  private relay(upstream: Readable, meter: CompletionMeter, options: CompletionOptions, clientWantsUsage: boolean): SseRelay {
    const relay = new SseRelay({
      pingIntervalMs: options.pingIntervalMs,
      onFirstChunk: () => meter.markFirstToken(),
      onData: (data) => meter.observeStreamData(data),
      ...(clientWantsUsage ? {} : { dropData: isUsageOnlyFrame }),
    });
    upstream.on('error', () => {
      if (options.signal.aborted) {
        meter.finish('aborted');
        relay.destroy();
        return;
      }
      meter.finish('error', 'upstream_stream_failed');
      relay.failWith({ message: 'The provider closed the stream before it finished.', type: 'upstream_error', code: 'upstream_stream_failed' });
    });
    relay.on('end', () => meter.finish('ok'));
    relay.on('close', () => meter.finish(options.signal.aborted ? 'aborted' : 'ok'));
    upstream.pipe(relay);
    return relay;
  }
}
