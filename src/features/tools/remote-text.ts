import type { Dispatcher } from 'undici';
import { InvalidOutboundUrlError, OutboundAddressRefusedError, type OutboundClient } from '../../platform/outbound/index.js';

export type RemoteFailureReason = 'timeout' | 'cancelled' | 'too_large' | 'refused' | 'invalid_url' | 'network';

/**
 * A remote call that produced no usable response. The message is safe to show
 * the model and the tenant: it never repeats the URL, which may carry a token.
 */
export class RemoteRequestError extends Error {
  constructor(
    readonly reason: RemoteFailureReason,
    message: string,
    options: { readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RemoteRequestError';
  }
}

export interface RemoteTextRequest {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}

export interface RemoteTextResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function tooLarge(maxBytes: number): RemoteRequestError {
  return new RemoteRequestError('too_large', `The response is larger than the ${maxBytes}-byte limit.`);
}

function headerValue(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readCapped(response: Dispatcher.ResponseData, maxBytes: number): Promise<string> {
  const declared = Number(headerValue(response.headers, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      response.body.destroy();
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function classify(error: unknown, deadline: AbortSignal, caller: AbortSignal | undefined, timeoutMs: number): RemoteRequestError {
  if (error instanceof RemoteRequestError) return error;
  if (caller?.aborted) return new RemoteRequestError('cancelled', 'The call was cancelled.', { cause: error });
  const code = errorCode(error);
  if (deadline.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new RemoteRequestError('timeout', `No complete response within ${seconds(timeoutMs)}.`, { cause: error });
  }
  if (error instanceof OutboundAddressRefusedError) return new RemoteRequestError('refused', error.message, { cause: error });
  if (error instanceof InvalidOutboundUrlError) return new RemoteRequestError('invalid_url', error.message, { cause: error });
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return new RemoteRequestError('too_large', 'The response is too large.', { cause: error });
  return new RemoteRequestError('network', `The connection failed${code ? ` (${code})` : ''}.`, { cause: error });
}

/**
 * One tenant-driven HTTP exchange read as text: through the guarded outbound
 * client (so the address policy holds), bounded in time end to end and in
 * response size. Any status is returned; judging it is the caller's business.
 */
export async function requestRemoteText(
  outbound: OutboundClient,
  url: string,
  request: RemoteTextRequest,
): Promise<RemoteTextResponse> {
  const deadline = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
  try {
    signal.throwIfAborted();
    const response = await outbound.request(url, {
      method: request.method ?? 'GET',
      headers: { ...request.headers },
      body: request.body,
      signal,
      headersTimeout: request.timeoutMs,
      bodyTimeout: request.timeoutMs,
    });
    const text = await readCapped(response, request.maxBytes);
    return { status: response.statusCode, contentType: headerValue(response.headers, 'content-type'), text };
  } catch (error) {
    throw classify(error, deadline, request.signal, request.timeoutMs);
  }
}

/** The first characters of a response, to show with an error status without flooding the context. */
export function excerpt(text: string, maxCharacters = 2_000): string {
  return text.length <= maxCharacters ? text : `${text.slice(0, maxCharacters)}…`;
}
