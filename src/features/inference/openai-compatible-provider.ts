import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ResolvedConnection } from '../connections/index.js';
import { upstreamResponseError, upstreamTransportError } from './upstream-failure.js';

/** The outbound HTTP call, enforcing the address policy unless the endpoint is the operator's. */
export type OutboundRequest = (
  url: string,
  options: { trusted: boolean } & Pick<Dispatcher.RequestOptions, 'method' | 'headers' | 'body' | 'signal' | 'headersTimeout' | 'bodyTimeout'>,
) => Promise<Dispatcher.ResponseData>;

export interface ProviderCallOptions {
  readonly signal: AbortSignal;
  /** Attempts for failures before the first byte (connection failures, 429, 5xx); a response timeout is not retried. */
  readonly attempts?: number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const RETRY_BASE_MS = 250;
const MAX_RETRY_AFTER_MS = 5_000;
const ERROR_BODY_LIMIT = 64 * 1024;

function retryAfterSeconds(headers: Dispatcher.ResponseData['headers']): number | undefined {
  const value = Number(headers['retry-after']);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

async function readLimited(body: Readable): Promise<string> {
  let text = '';
  for await (const chunk of body) {
    text += String(chunk);
    if (text.length > ERROR_BODY_LIMIT) {
      body.destroy();
      break;
    }
  }
  return text;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/**
 * POSTs a chat completion to an OpenAI-compatible provider and returns the
 * response once its status is known (the body is still streaming). Failures
 * before the first byte are retried with jittered backoff; a 2xx is final.
 */
export async function postChatCompletion(
  outbound: OutboundRequest,
  connection: ResolvedConnection,
  body: string,
  options: ProviderCallOptions,
): Promise<Dispatcher.ResponseData> {
  const attempts = options.attempts ?? 3;
  const sleep = options.sleep ?? defaultSleep;
  const url = `${connection.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  if (connection.apiKey) headers.authorization = `Bearer ${connection.apiKey}`;

  for (let attempt = 1; ; attempt += 1) {
    let response: Dispatcher.ResponseData;
    try {
      response = await outbound(url, {
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
      // A provider that accepted the request but did not answer in time may still be working on it:
      // retrying would make the client wait several timeouts and could bill the call twice.
      if (attempt >= attempts || isResponseTimeout(error)) throw upstreamTransportError(error, connection.name);
      await sleep(jittered(attempt), options.signal);
      continue;
    }
    if (response.statusCode < 400) return response;
    const retryAfter = retryAfterSeconds(response.headers);
    const retryable = response.statusCode === 429 || response.statusCode >= 500;
    const text = await readLimited(response.body);
    if (!retryable || attempt >= attempts || (retryAfter !== undefined && retryAfter * 1000 > MAX_RETRY_AFTER_MS)) {
      throw upstreamResponseError(response.statusCode, text, {
        connection: connection.name,
        apiKey: connection.apiKey,
        ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
      });
    }
    await sleep(retryAfter === undefined ? jittered(attempt) : retryAfter * 1000, options.signal);
  }
}

function isResponseTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

function jittered(attempt: number): number {
  return Math.round(RETRY_BASE_MS * 2 ** (attempt - 1) * (0.5 + Math.random()));
}

const MODEL_LIST_TIMEOUT_MS = 5_000;

/** The model ids an OpenAI-compatible provider lists at `GET /models`. */
export async function listProviderModels(outbound: OutboundRequest, connection: ResolvedConnection, signal: AbortSignal): Promise<string[]> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (connection.apiKey) headers.authorization = `Bearer ${connection.apiKey}`;
  const response = await outbound(`${connection.baseUrl.replace(/\/+$/, '')}/models`, {
    trusted: connection.trusted,
    method: 'GET',
    headers,
    signal,
    headersTimeout: MODEL_LIST_TIMEOUT_MS,
    bodyTimeout: MODEL_LIST_TIMEOUT_MS,
  });
  if (response.statusCode >= 400) {
    await response.body.dump();
    throw upstreamResponseError(response.statusCode, '', { connection: connection.name, apiKey: connection.apiKey });
  }
  const list = (await response.body.json()) as { data?: Array<{ id?: unknown }> };
  return (list.data ?? []).flatMap((model) => (typeof model.id === 'string' ? [model.id] : []));
}
