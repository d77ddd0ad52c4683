import { randomUUID } from 'node:crypto';
import { createAnthropic } from '@ai-sdk/anthropic';
import { type GoogleGenerativeAIProvider, createGoogleGenerativeAI } from '@ai-sdk/google';
import { APICallError, type LanguageModel, type TextStreamPart, type ToolSet, generateText, streamText } from 'ai';
import { AppError, BadRequestError, UpstreamError } from '../../platform/errors.js';
import type { ResolvedConnection } from '../connections/index.js';
import type { AiSdkCall } from './ai-sdk-request.js';
import { toChatCompletion } from './ai-sdk-response.js';
import { chunkFrames } from './ai-sdk-stream.js';
import { retryingFetch } from './retrying-fetch.js';
import { scrubSecrets, upstreamResponseError, upstreamTransportError } from './upstream-failure.js';
import { parseRetryAfter } from './upstream-retry.js';

/**
 * A `fetch` over Agentry's guarded outbound client: tenant endpoints go
 * through the address policy, operator ones do not; `timeoutMs` bounds the
 * wait for the response head and for each gap in its body, as on the OpenAI path.
 */
export type FetchFor = (options: { readonly trusted: boolean; readonly timeoutMs: number }) => typeof fetch;

/** Connection types served through an AI SDK provider rather than the OpenAI wire format. */
export { AI_SDK_CONNECTION_TYPES } from './ai-sdk-connection-types.js';

/** Errors the AI SDK raises for a prompt the provider cannot take: the client's to fix. */
const PROMPT_ERRORS = new Set(['AI_InvalidPromptError', 'AI_UnsupportedFunctionalityError', 'AI_InvalidArgumentError']);

export interface AiSdkTarget {
  readonly connection: ResolvedConnection;
  readonly upstreamModel: string;
  /** The model the client asked for, which the response names. */
  readonly clientModel: string;
  readonly signal: AbortSignal;
}

/** The `fetch` an AI SDK provider gets for a connection: guarded, bounded by its timeout, retried before the first byte. */
export function connectionFetch(connection: ResolvedConnection, fetchFor: FetchFor): typeof fetch {
  // Retried here, before the first byte, by the same policy as the OpenAI-compatible path.
  return retryingFetch(fetchFor({ trusted: connection.trusted, timeoutMs: connection.timeoutMs }));
}

/** Google's provider for a Gemini connection (its chat and embedding models). */
export function geminiProviderFor(connection: ResolvedConnection, fetchFor: FetchFor): GoogleGenerativeAIProvider {
  // An explicit (possibly empty) key: the SDK would otherwise read GOOGLE_GENERATIVE_AI_API_KEY from the environment.
  return createGoogleGenerativeAI({
    baseURL: connection.baseUrl.replace(/\/+$/, ''),
    apiKey: connection.apiKey ?? '',
    fetch: connectionFetch(connection, fetchFor),
  });
}

export function languageModelFor(connection: ResolvedConnection, modelId: string, fetchFor: FetchFor): LanguageModel {
  if (connection.type === 'Anthropic') {
    // Likewise explicit: the SDK would otherwise read ANTHROPIC_API_KEY.
    const fetch = connectionFetch(connection, fetchFor);
    return createAnthropic({ baseURL: connection.baseUrl.replace(/\/+$/, ''), apiKey: connection.apiKey ?? '', fetch })(modelId);
  }
  if (connection.type === 'Gemini') return geminiProviderFor(connection, fetchFor)(modelId);
  throw new AppError('unprocessable', 'provider_not_supported', `Chat completions through ${connection.type} connections are not available yet.`);
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 6; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
  }
  return chain;
}

/** Maps an AI SDK failure to the error the OpenAI-compatible path would raise for the same situation. */
export function aiSdkFailure(error: unknown, connection: ResolvedConnection, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  const chain = causes(error);
  // An address-policy refusal (raised in the guarded connector) is already the right error.
  const appError = chain.find((entry): entry is AppError => entry instanceof AppError);
  if (appError) return appError;
  if (APICallError.isInstance(error)) {
    // undici's error code (timeouts, refused connections, an oversized reply) sits somewhere down the cause chain.
    const coded = chain.find((entry) => typeof (entry as { code?: unknown }).code === 'string');
    // A success whose body failed to arrive whole is a transport failure, not the provider's answer.
    if (error.statusCode !== undefined && (error.statusCode >= 400 || coded === undefined)) {
      const seconds = parseRetryAfter(error.responseHeaders?.['retry-after']);
      return upstreamResponseError(error.statusCode, error.responseBody ?? error.message, {
        connection: connection.name,
        apiKey: connection.apiKey,
        ...(seconds === undefined ? {} : { retryAfterSeconds: seconds }),
      });
    }
    return upstreamTransportError(coded ?? error, connection.name);
  }
  const name = (error as { name?: unknown } | null)?.name;
  const message = scrubSecrets(error instanceof Error ? error.message : String(error), connection.apiKey);
  if (typeof name === 'string' && PROMPT_ERRORS.has(name)) return new BadRequestError('unsupported_parameter', message, { cause: error });
  return new UpstreamError('upstream', 'upstream_error', `The provider's answer could not be read (connection '${connection.name}'): ${message}`, null, {
    cause: error,
  });
}

/** One non-streamed completion, as an OpenAI `chat.completion`. */
export async function generateCompletion(model: LanguageModel, call: AiSdkCall, target: AiSdkTarget): Promise<Record<string, unknown>> {
  try {
    // No SDK retries: its backoff starts at seconds; the model's fetch retries by the gateway's own policy.
    const result = await generateText({ model, ...call, abortSignal: target.signal, maxRetries: 0 });
    const { text, reasoningText: reasoning, toolCalls, finishReason, usage } = result;
    return toChatCompletion({ id: result.response.id, text, reasoning, toolCalls, finishReason, usage }, target.clientModel);
  } catch (error) {
    throw aiSdkFailure(error, target.connection, target.signal);
  }
}

async function* resume<T>(first: IteratorResult<T>, rest: AsyncIterator<T>): AsyncGenerator<T, void, undefined> {
  try {
    if (first.done) return;
    yield first.value;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}

/**
 * One streamed completion as OpenAI SSE frames. Resolves once the provider
 * has started answering, so a refusal before the first byte is still an HTTP
 * error (and may fall back); later failures end the frames with an error.
 */
export async function streamCompletion(model: LanguageModel, call: AiSdkCall, target: AiSdkTarget): Promise<AsyncGenerator<string>> {
  const mapError = (error: unknown) => aiSdkFailure(error, target.connection, target.signal);
  // Errors arrive as stream parts; the default handler would also log them to the console.
  const result = streamText({ model, ...call, abortSignal: target.signal, maxRetries: 0, onError: () => undefined });
  const parts: AsyncIterator<TextStreamPart<ToolSet>> = result.fullStream[Symbol.asyncIterator]();
  let first: IteratorResult<TextStreamPart<ToolSet>>;
  try {
    do first = await parts.next();
    while (!first.done && first.value.type === 'start');
  } catch (error) {
    throw mapError(error);
  }
  if (!first.done && (first.value.type === 'error' || first.value.type === 'abort')) {
    await parts.return?.();
    throw first.value.type === 'error' ? mapError(first.value.error) : (target.signal.reason ?? mapError(new Error('aborted')));
  }
  return chunkFrames(resume(first, parts), { id: `chatcmpl-${randomUUID()}`, model: target.clientModel, signal: target.signal, mapError });
}
