import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { type Cancellation, abortSignalOf } from '../../platform/http/request-signal.js';
import { type BufferedResponse, ERROR_BODY_BYTES, type StreamedResponse } from '../../platform/outbound/index.js';
import type { ResolvedConnection } from '../connections/index.js';
import { upstreamResponseError, upstreamTransportError } from './upstream-failure.js';
import { type RetryOptions, DEFAULT_ATTEMPTS, abortableSleep, earlyRetryDelayMs, parseRetryAfter } from './upstream-retry.js';

type RequestOptions = { trusted: boolean } & Pick<Dispatcher.RequestOptions, 'method' | 'headers' | 'body' | 'signal' | 'headersTimeout' | 'bodyTimeout'>;

/** The outbound HTTP calls, enforcing the address policy unless the endpoint is the operator's. */
export interface OutboundRequest {
  /** Resolves once the status is known; the body is still streaming (event streams). */
  streamed(url: string, options: RequestOptions): Promise<StreamedResponse>;
  /** Resolves once the whole response has arrived (JSON replies). */
  buffered(url: string, options: RequestOptions): Promise<BufferedResponse>;
}

export interface ProviderCallOptions extends RetryOptions {
  readonly signal: Cancellation;
}

/** A streamed error body is read up to about as much as the outbound client keeps of a buffered one (here in characters). */
async function readLimited(body: Readable): Promise<string> {
  let text = '';
  for await (const chunk of body) {
    text += String(chunk);
    if (text.length > ERROR_BODY_BYTES) {
      body.destroy();
      break;
    }
  }
  return text;
}

/** How one kind of response is sent and how its error text is read. */
interface ResponseReading<Response> {
  send(outbound: OutboundRequest, url: string, options: RequestOptions): Promise<Response>;
  errorText(response: Response): Promise<string> | string;
}

const STREAMED: ResponseReading<StreamedResponse> = {
  send: (outbound, url, options) => outbound.streamed(url, options),
  errorText: (response) => readLimited(response.body),
};

const BUFFERED: ResponseReading<BufferedResponse> = {
  send: (outbound, url, options) => outbound.buffered(url, options),
  // The outbound client kept at most ERROR_BODY_BYTES of an error status's body.
  errorText: (response) => response.body.toString('utf8'),
};

interface Endpoint {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Per resolved connection: operator connections are resolved once, so their URL and headers are built once too. */
const endpoints = new WeakMap<ResolvedConnection, Endpoint>();

function chatCompletionsEndpoint(connection: ResolvedConnection): Endpoint {
  let endpoint = endpoints.get(connection);
  if (!endpoint) {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    if (connection.apiKey) headers.authorization = `Bearer ${connection.apiKey}`;
    endpoint = { url: `${connection.baseUrl.replace(/\/+$/, '')}/chat/completions`, headers: Object.freeze(headers) };
    endpoints.set(connection, endpoint);
  }
  return endpoint;
}

/**
 * POSTs a chat completion to an OpenAI-compatible provider and returns the
 * whole response. Failures before the first byte are retried as
 * upstream-retry.ts decides; a 2xx is final.
 */
export function postChatCompletion(
  outbound: OutboundRequest,
  connection: ResolvedConnection,
  body: string,
  options: ProviderCallOptions,
): Promise<BufferedResponse> {
  return postWithRetries(BUFFERED, outbound, connection, body, options);
}

/** As postChatCompletion, returning the response once its status is known, its body (an event stream) still arriving. */
export function openChatCompletionStream(
  outbound: OutboundRequest,
  connection: ResolvedConnection,
  body: string,
  options: ProviderCallOptions,
): Promise<StreamedResponse> {
  return postWithRetries(STREAMED, outbound, connection, body, options);
}

async function postWithRetries<Response extends { readonly statusCode: number; readonly headers: IncomingHttpHeaders }>(
  reading: ResponseReading<Response>,
  outbound: OutboundRequest,
  connection: ResolvedConnection,
  body: string,
  options: ProviderCallOptions,
): Promise<Response> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const sleep = options.sleep ?? abortableSleep;
  const { url, headers } = chatCompletionsEndpoint(connection);

  for (let attempt = 1; ; attempt += 1) {
    let response: Response;
    try {
      response = await reading.send(outbound, url, {
        trusted: connection.trusted,
        method: 'POST',
        headers,
        body,
        signal: options.signal,
        headersTimeout: connection.timeoutMs,
        bodyTimeout: connection.timeoutMs,
      });
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      if ((error as { kind?: unknown }).kind !== undefined) throw error; // a policy refusal: an AppError already
      const delay = earlyRetryDelayMs({ kind: 'transport', error }, attempt, attempts);
      if (delay === undefined) throw upstreamTransportError(error, connection.name);
      await sleep(delay, abortSignalOf(options.signal));
      continue;
    }
    if (response.statusCode < 400) return response;
    const retryAfter = parseRetryAfter(response.headers['retry-after']);
    const text = await reading.errorText(response);
    const delay = earlyRetryDelayMs({ kind: 'status', status: response.statusCode, retryAfterSeconds: retryAfter }, attempt, attempts);
    if (delay === undefined) {
      throw upstreamResponseError(response.statusCode, text, {
        connection: connection.name,
        apiKey: connection.apiKey,
        ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
      });
    }
    await sleep(delay, abortSignalOf(options.signal));
  }
}

const MODEL_LIST_TIMEOUT_MS = 5_000;

/** The model ids an OpenAI-compatible provider lists at `GET /models`. */
export async function listProviderModels(outbound: OutboundRequest, connection: ResolvedConnection, signal: AbortSignal): Promise<string[]> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (connection.apiKey) headers.authorization = `Bearer ${connection.apiKey}`;
  const response = await outbound.buffered(`${connection.baseUrl.replace(/\/+$/, '')}/models`, {
    trusted: connection.trusted,
    method: 'GET',
    headers,
    signal,
    headersTimeout: MODEL_LIST_TIMEOUT_MS,
    bodyTimeout: MODEL_LIST_TIMEOUT_MS,
  });
  if (response.statusCode >= 400) {
    throw upstreamResponseError(response.statusCode, '', { connection: connection.name, apiKey: connection.apiKey });
  }
  const list = JSON.parse(response.body.toString()) as { data?: Array<{ id?: unknown }> };
  return (list.data ?? []).flatMap((model) => (typeof model.id === 'string' ? [model.id] : []));
}
