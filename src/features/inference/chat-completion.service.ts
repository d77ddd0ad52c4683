import { Readable } from 'node:stream';
import { AppError } from '../../platform/errors.js';
import { openAiErrorBody } from '../../platform/http/error-mapping.js';
import { type Cancellation, abortSignalOf } from '../../platform/http/request-signal.js';
import { SseRelay } from '../../platform/http/sse-relay.js';
import { type BufferedResponse, type StreamedResponse, readWhole } from '../../platform/outbound/index.js';
import type { AiGatewayService } from '../ai-gateways/index.js';
import type { KeyLimits } from '../api-keys/index.js';
import type { ConnectionService, ResolvedConnection } from '../connections/index.js';
import type { LimitSubject, RateLimiter } from '../limits/index.js';
import { type PriceTable, type UsageLineItem, type UsageRecorder, lineItemsJson } from '../usage/index.js';
import { AI_SDK_CONNECTION_TYPES } from './ai-sdk-connection-types.js';
import type { FetchFor } from './ai-sdk-provider.js';
import type { ChatCompletionRequest } from './chat-completion.schemas.js';
import { CompletionMeter } from './completion-meter.js';
import { type CompletionPlan, type CompletionTarget, planCompletion } from './completion-plan.js';
import { type ScannedCompletion, type TextReplacement, amendReplyText, parseCompletion, scanCompletion } from './json-reply.js';
import { type OutboundRequest, openChatCompletionStream, postChatCompletion } from './openai-compatible-provider.js';
import { prefixChoices, prefixFirstContentDelta } from './reply-prefix.js';
import { midStreamFailure, upstreamTransportError } from './upstream-failure.js';

export type ChatCompletionResult =
  | {
      readonly kind: 'json';
      readonly body: Record<string, unknown>;
      /** `body` as JSON text, when it was made without serializing `body`; send this rather than `body` then. */
      readonly encoded?: string;
      readonly headers: Record<string, string>;
    }
  | { readonly kind: 'stream'; readonly body: Readable; readonly headers: Record<string, string> };

export interface ChatCompletionServiceDependencies {
  readonly connections: ConnectionService;
  readonly aiGateways: AiGatewayService;
  readonly outbound: OutboundRequest;
  /** The guarded `fetch` for connections served through an AI SDK provider. */
  readonly fetchFor: FetchFor;
  readonly prices: PriceTable;
  readonly usage: UsageRecorder;
  /** Throws (or rejects) when the organization may not spend (an operator-set balance is used up). */
  readonly assertCanSpend: (orgId: string) => void | Promise<void>;
  readonly limiter: RateLimiter;
  /** Failures of bookkeeping that must not fail the call (token counters). */
  readonly reportBackgroundError: (error: unknown) => void;
}

export interface Caller {
  readonly orgId: string;
  readonly keyId: string | null;
  readonly keyLabel: string;
  readonly keyLimits: KeyLimits;
}

/** How a stream is shaped for the client on its way through the relay. */
interface RelayShaping {
  /** The connection's name, for the error event of a stream it breaks off. */
  readonly connection: string;
  readonly clientWantsUsage: boolean;
  /** Omitted when the frames already name the model the client asked for. */
  readonly modelField?: { readonly from: string; readonly to: string };
  readonly replyPrefix?: string | undefined;
}

export interface CompletionOptions {
  readonly signal: Cancellation;
  /** Silence after which a streamed response gets a keep-alive comment; 0 for none. */
  readonly pingIntervalMs: number;
}

/** Types spoken over the OpenAI wire format; AI_SDK_CONNECTION_TYPES go through an adapter, the rest are not served yet. */
const OPENAI_WIRE_TYPES = new Set(['OpenAiCompatible', 'Ollama']);
/** Provider failures a fallback model may cure; a request the provider rejects as invalid is not one. */
const FALLBACK_KINDS = new Set(['upstream', 'upstream_timeout', 'rate_limited']);

const NO_CHOICES = /"choices"\s*:\s*\[\s*\]/;

/** The key and the gateway, each when it has limits. */
function limitSubjects(caller: Caller, plan: CompletionPlan): LimitSubject[] {
  const subjects: LimitSubject[] = [];
  const { requestsPerMinute, tokensPerDay } = caller.keyLimits;
  if (caller.keyId && (requestsPerMinute !== null || tokensPerDay !== null)) {
    subjects.push({ orgId: caller.orgId, kind: 'API key', id: caller.keyId, name: caller.keyLabel, requestsPerMinute, tokensPerDay });
  }
  const gatewayLimits = plan.gateway?.parameters.limits;
  if (plan.gateway && gatewayLimits && (gatewayLimits.requestsPerMinute || gatewayLimits.tokensPerDay)) {
    subjects.push({
      orgId: caller.orgId,
      kind: 'AI gateway',
      id: plan.gateway.id,
      name: plan.gateway.name,
      requestsPerMinute: gatewayLimits.requestsPerMinute ?? null,
      tokensPerDay: gatewayLimits.tokensPerDay ?? null,
    });
  }
  return subjects;
}

/**
 * A JSON result made as text: the routes send `encoded`; callers inside
 * Agentry (agents, conversations) read `body`, parsed when first read.
 */
class EncodedJsonResult {
  readonly kind = 'json' as const;
  private parsed: Record<string, unknown> | undefined;

  constructor(
    readonly headers: Record<string, string>,
    readonly encoded: string,
  ) {}

  get body(): Record<string, unknown> {
    return (this.parsed ??= JSON.parse(this.encoded) as Record<string, unknown>);
  }
}

interface ModelRouting {
  readonly complexity: string;
  readonly model: string;
  readonly reasoning_effort: unknown;
}

/** The routing choice a reply reports, when the gateway routes by complexity. */
function modelRoutingOf(target: CompletionTarget): ModelRouting | undefined {
  return target.complexityTier
    ? { complexity: target.complexityTier, model: target.upstreamModel, reasoning_effort: target.body.reasoning_effort ?? null }
    : undefined;
}

/** The reply's `generation_context` member as JSON text, the same that serializing the object would give. */
function generationContextMember(lineItems: readonly UsageLineItem[], modelRouting: ModelRouting | undefined): string {
  return `"generation_context":{"generated_usage":${lineItemsJson(lineItems)},"runned_functions":[]${modelRouting ? `,"model_routing":${JSON.stringify(modelRouting)}` : ''}}`;
}

/** Clients see the model they asked for in place of the provider's name for it. */
function modelRename(providerModel: string, clientModel: string): TextReplacement {
  return { from: `"model":${JSON.stringify(providerModel)}`, to: `"model":${JSON.stringify(clientModel)}` };
}

function canFallBack(error: unknown): boolean {
  return error instanceof AppError && FALLBACK_KINDS.has(error.kind);
}

export class ChatCompletionService {
  constructor(private readonly deps: ChatCompletionServiceDependencies) {}

  async complete(caller: Caller, request: ChatCompletionRequest, options: CompletionOptions): Promise<ChatCompletionResult> {
    // Both are synchronous for a cached connection and organization, as on nearly every call: no await then.
    const planned = planCompletion(caller.orgId, request, this.deps);
    const plan = planned instanceof Promise ? await planned : planned;
    const spending = this.deps.assertCanSpend(caller.orgId);
    if (spending) await spending;
    const limited = limitSubjects(caller, plan);
    if (limited.length > 0) await this.deps.limiter.admit(limited);
    const countTokens =
      limited.length > 0 ? (tokens: number) => void this.deps.limiter.addTokens(limited, tokens).catch(this.deps.reportBackgroundError) : undefined;
    for (let index = 0; index < plan.targets.length; index += 1) {
      const isLast = index === plan.targets.length - 1;
      try {
        return await this.attempt(caller, request, plan, plan.targets[index]!, options, countTokens);
      } catch (error) {
        if (isLast || options.signal.aborted || !canFallBack(error)) throw error;
      }
    }
    throw new AppError('internal', 'internal_error', 'No completion target was planned.');
  }

  private async attempt(
    caller: Caller,
    request: ChatCompletionRequest,
    plan: CompletionPlan,
    target: CompletionTarget,
    options: CompletionOptions,
    countTokens: ((tokens: number) => void) | undefined,
  ): Promise<ChatCompletionResult> {
    const resolving = target.connection();
    const connection = resolving instanceof Promise ? await resolving : resolving;
    if (!OPENAI_WIRE_TYPES.has(connection.type) && !AI_SDK_CONNECTION_TYPES.has(connection.type)) {
      throw new AppError(
        'unprocessable',
        'provider_not_supported',
        `Chat completions through ${connection.type} connections are not available yet; use an OpenAI-compatible, Anthropic or Gemini connection.`,
      );
    }
    const meter = new CompletionMeter(
      {
        orgId: caller.orgId,
        keyId: caller.keyId,
        gatewayId: plan.gateway?.id ?? null,
        connection: connection.name,
        model: request.model,
        upstreamModel: target.upstreamModel,
        streamed: request.stream === true,
        estimatedPromptTokens: plan.estimatedPromptTokens,
      },
      this.deps.prices,
      this.deps.usage,
      countTokens,
    );
    const clientWantsUsage = request.stream_options?.include_usage === true;
    const headers: Record<string, string> = { 'x-agentry-upstream-model': `@${connection.name}/${target.upstreamModel}` };
    if (target.complexityTier) headers['x-agentry-complexity'] = target.complexityTier;
    if (AI_SDK_CONNECTION_TYPES.has(connection.type)) {
      return this.attemptViaAiSdk(request, target, connection, meter, options, headers);
    }
    // Streams always ask the provider for usage, so every call is metered; the client sees it only if it asked.
    const body = request.stream ? { ...target.body, stream_options: { ...request.stream_options, include_usage: true } } : target.body;

    const sent = JSON.stringify(body);
    const call = { signal: options.signal };
    let response: StreamedResponse | BufferedResponse;
    try {
      // A stream is relayed as it arrives; a JSON reply is only used whole, so it is read whole, without a stream.
      response = request.stream
        ? await openChatCompletionStream(this.deps.outbound, connection, sent, call)
        : await postChatCompletion(this.deps.outbound, connection, sent, call);
    } catch (error) {
      meter.finish(options.signal.aborted ? 'aborted' : 'error', error instanceof AppError ? error.code : 'internal_error');
      throw error;
    }

    const replyBody = response.body;
    if (!Buffer.isBuffer(replyBody) && String(response.headers['content-type'] ?? '').includes('text/event-stream')) {
      const modelField = modelRename(target.upstreamModel, request.model);
      return { kind: 'stream', body: this.relay(replyBody, meter, options, { connection: connection.name, clientWantsUsage, modelField, replyPrefix: target.replyPrefix }), headers };
    }
    meter.markFirstToken();
    let text: string;
    let completion: Record<string, unknown>;
    try {
      // Read whole already, unless a provider answered a streamed request with JSON.
      text = (Buffer.isBuffer(replyBody) ? replyBody : await readWhole(replyBody)).toString();
      const scanned = target.replyPrefix ? undefined : scanCompletion(text);
      if (scanned) return this.scannedResult(scanned, request, target, meter, headers);
      completion = parseCompletion(text, connection.name);
    } catch (error) {
      const failure = error instanceof AppError ? error : upstreamTransportError(error, connection.name);
      meter.finish(options.signal.aborted ? 'aborted' : 'error', failure.code);
      throw failure;
    }
    return this.jsonResult(completion, request, target, meter, headers, text);
  }

  /** The provider's reply as read without parsing it, amended for the client in its text. */
  private scannedResult(
    scanned: ScannedCompletion,
    request: ChatCompletionRequest,
    target: CompletionTarget,
    meter: CompletionMeter,
    headers: Record<string, string>,
  ): ChatCompletionResult {
    meter.observeUsage(scanned.usage);
    meter.finish('ok');
    return new EncodedJsonResult(headers, scanned.amended(request.model, generationContextMember(meter.price().lineItems, modelRoutingOf(target))));
  }

  /** Anthropic (and later other non-OpenAI providers): translated through the AI SDK, metered and shaped as above. */
  private async attemptViaAiSdk(
    request: ChatCompletionRequest,
    target: CompletionTarget,
    connection: ResolvedConnection,
    meter: CompletionMeter,
    options: CompletionOptions,
    headers: Record<string, string>,
  ): Promise<ChatCompletionResult> {
    const clientWantsUsage = request.stream_options?.include_usage === true;
    try {
      // Loaded on first use: deployments with only OpenAI-compatible providers never pay the SDK's memory.
      const [{ toAiSdkCall }, { generateCompletion, languageModelFor, streamCompletion }] = await Promise.all([
        import('./ai-sdk-request.js'),
        import('./ai-sdk-provider.js'),
      ]);
      const call = toAiSdkCall(target.body, connection.type);
      const model = languageModelFor(connection, target.upstreamModel, this.deps.fetchFor);
      const aiTarget = { connection, upstreamModel: target.upstreamModel, clientModel: request.model, signal: abortSignalOf(options.signal) };
      if (request.stream) {
        // A reader that leaves destroys the relay, which closes the generator (it would otherwise wait forever).
        const source = Readable.from(await streamCompletion(model, call, aiTarget));
        return { kind: 'stream', body: this.relay(source, meter, options, { connection: connection.name, clientWantsUsage, replyPrefix: target.replyPrefix }), headers };
      }
      const completion = await generateCompletion(model, call, aiTarget);
      meter.markFirstToken();
      return this.jsonResult(completion, request, target, meter, headers);
    } catch (error) {
      meter.finish(options.signal.aborted ? 'aborted' : 'error', error instanceof AppError ? error.code : 'internal_error');
      throw error;
    }
  }

  /** `text`: the provider's reply as it came, when there is one (the AI SDK path builds its reply). */
  private jsonResult(
    completion: Record<string, unknown>,
    request: ChatCompletionRequest,
    target: CompletionTarget,
    meter: CompletionMeter,
    headers: Record<string, string>,
    text?: string,
  ): ChatCompletionResult {
    meter.observeUsage(completion.usage);
    meter.finish('ok');
    const modelRouting = modelRoutingOf(target);
    const lineItems = meter.price().lineItems;
    // Clients see the model they asked for, and what the call cost: in the provider's text when it allows (see amendReplyText)…
    const encoded =
      text !== undefined && !target.replyPrefix && typeof completion.model === 'string' && !('generation_context' in completion)
        ? amendReplyText(text, modelRename(completion.model, request.model), generationContextMember(lineItems, modelRouting))
        : undefined;
    // …and always in the parsed reply, which is ours alone, so it is amended in place rather than copied.
    if (target.replyPrefix) completion.choices = prefixChoices(completion.choices, target.replyPrefix);
    completion.model = request.model;
    completion.generation_context = { generated_usage: lineItems, runned_functions: [], ...(modelRouting ? { model_routing: modelRouting } : {}) };
    return encoded === undefined ? { kind: 'json', headers, body: completion } : { kind: 'json', headers, body: completion, encoded };
  }

  private relay(upstream: Readable, meter: CompletionMeter, options: CompletionOptions, shaping: RelayShaping): SseRelay {
    const { replyPrefix } = shaping;
    /** The last payload, when it carried usage. */
    let usageFrame: string | undefined;
    const relay = new SseRelay(upstream, {
      // Chunks name the model the client asked for, as JSON replies do.
      ...(shaping.modelField ? { replace: shaping.modelField } : {}),
      pingIntervalMs: options.pingIntervalMs,
      onFirstChunk: () => meter.markFirstToken(),
      onData: (data) => {
        usageFrame = meter.observeStreamData(data) ? data : undefined;
      },
      // The relay offers each payload to onData first: a usage chunk without choices was only for us.
      ...(shaping.clientWantsUsage ? {} : { dropData: (data: string) => data === usageFrame && NO_CHOICES.test(data) }),
      // As in JSON replies; only the frame that gets the prefix is re-encoded.
      ...(replyPrefix ? { rewriteOnce: (data: string) => prefixFirstContentDelta(data, replyPrefix) } : {}),
    });
    upstream.on('error', (error) => {
      // The reader left and the relay destroyed its source: the relay's `close` below records the call.
      if (relay.destroyed) return;
      if (options.signal.aborted) {
        meter.finish('aborted');
        relay.destroy();
        return;
      }
      const failure = midStreamFailure(error, shaping.connection);
      meter.finish('error', failure.code);
      relay.failWith(openAiErrorBody(failure).error);
    });
    relay.on('end', () => meter.finish('ok'));
    relay.on('close', () => meter.finish(options.signal.aborted ? 'aborted' : 'ok'));
    return relay;
  }
}
