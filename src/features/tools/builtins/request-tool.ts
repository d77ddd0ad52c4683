import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { InvalidOutboundUrlError, type OutboundClient, OutboundAddressRefusedError, parseOutboundUrl } from '../../../platform/outbound/index.js';
import { type AgentTool, type ToolContext, type ToolResult, errorResult } from '../agent-tool.js';
import { parseArguments, toolParameters } from './tool-arguments.js';

export interface RequestToolOptions {
  /** The tenant (non-trusted) outbound client: the address policy applies to every hop. */
  readonly outbound: Pick<OutboundClient, 'request'>;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly maxRedirects?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024;
const DEFAULT_MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Framing and routing headers belong to the HTTP client, not to the model. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect']);
/** Credentials a redirect to another origin must not carry along. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'is not a valid header name')
  .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()) && !name.toLowerCase().startsWith('proxy-'), 'is set by the HTTP client and cannot be sent');

const requestArguments = z
  .strictObject({
    url: z.string().min(1).max(4_000).describe('Absolute http(s) URL.'),
    method: z.enum(['GET', 'POST']).default('GET'),
    headers: z
      .record(headerName, z.string().max(8_000).regex(/^[^\r\n]*$/, 'must be a single line'))
      .optional()
      .describe('Request headers, e.g. {"Authorization": "Bearer …"}.'),
    body: z.unknown().optional().describe('POST only: a JSON value, sent as application/json.'),
  })
  .superRefine((value, context) => {
    if (value.method === 'GET' && value.body !== undefined) {
      context.addIssue({ code: 'custom', path: ['body'], message: 'can only be sent with method POST' });
    }
    if (value.headers && Object.keys(value.headers).length > 50) {
      context.addIssue({ code: 'custom', path: ['headers'], message: 'at most 50 headers' });
    }
  });
type RequestArguments = z.infer<typeof requestArguments>;

interface Hop {
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

function firstHop(args: RequestArguments): Hop {
  const headers: Record<string, string> = { 'user-agent': 'Agentry-Request/1.0', accept: 'application/json, text/*;q=0.9, */*;q=0.5' };
  for (const [name, value] of Object.entries(args.headers ?? {})) headers[name.toLowerCase()] = value;
  const body = args.method === 'POST' && args.body !== undefined ? JSON.stringify(args.body) : undefined;
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  return { url: parseOutboundUrl(args.url), method: args.method, headers, body };
}

/** Follows a redirect as browsers do: 303 (and 301/302 after POST) turn into a GET without body. */
function nextHop(hop: Hop, status: number, location: string): Hop {
  const url = parseOutboundUrl(new URL(location, hop.url));
  const headers = { ...hop.headers };
  if (url.origin !== hop.url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
  if (status === 303 || (hop.method === 'POST' && (status === 301 || status === 302))) {
    delete headers['content-type'];
    return { url, method: 'GET', headers, body: undefined };
  }
  return { ...hop, url, headers };
}

function headerValue(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads at most `limit` bytes; leaving the loop early destroys the rest of the body. */
async function readCapped(body: Dispatcher.ResponseData['body'], limit: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > limit) {
      chunks.push(chunk.subarray(0, limit - size));
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}

function isTextual(contentType: string): boolean {
  return contentType === '' || /^text\/|json|xml|javascript|ecmascript|x-www-form-urlencoded|yaml|csv/i.test(contentType);
}

function decode(bytes: Buffer, contentType: string): string {
  const charset = /charset="?([^";\s]+)/i.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function readableBody(bytes: Buffer, contentType: string, truncated: boolean): unknown {
  const text = decode(bytes, contentType);
  if (!truncated && /json/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // A server that mislabels its body: the text is still worth reading.
    }
  }
  return text;
}

function failureResult(error: unknown, state: { cancelled: boolean; timedOut: boolean }, timeoutMs: number): ToolResult {
  if (error instanceof OutboundAddressRefusedError) return errorResult(error.message);
  if (error instanceof InvalidOutboundUrlError) return errorResult(`url: ${error.message}`);
  if (state.cancelled) return errorResult('The request was cancelled.');
  const code = (error as { code?: unknown } | null)?.code;
  if (state.timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return errorResult(`The request timed out after ${timeoutMs / 1000} s.`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return errorResult(`The request failed: ${message}`);
}

/** `Request`: an HTTP GET or POST to a public URL, for APIs and pages the agent needs to read or call. */
export function requestTool(options: RequestToolOptions): AgentTool {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const sizeLabel = maxBytes >= 1024 ? `${Math.round(maxBytes / 1024)} KB` : `${maxBytes} bytes`;

  async function send(hop: Hop, signal: AbortSignal, redirects: number): Promise<ToolResult> {
    const response = await options.outbound.request(hop.url, {
      method: hop.method,
      headers: hop.headers,
      body: hop.body,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const location = headerValue(response.headers, 'location');
    if (REDIRECT_STATUSES.has(response.statusCode) && location) {
      await response.body.dump();
      if (redirects >= maxRedirects) return errorResult(`Stopped after ${maxRedirects} redirects (last one to ${new URL(location, hop.url).href}).`);
      return send(nextHop(hop, response.statusCode, location), signal, redirects + 1);
    }
    const contentType = headerValue(response.headers, 'content-type') ?? '';
    const result: Record<string, unknown> = { status: response.statusCode, url: hop.url.href, contentType: contentType || null };
    if (!isTextual(contentType)) {
      await response.body.dump();
      const length = headerValue(response.headers, 'content-length');
      result.body = null;
      result.note = `Binary content (${contentType}${length ? `, ${length} bytes` : ''}) is not shown.`;
    } else {
      const { bytes, truncated } = await readCapped(response.body, maxBytes);
      result.body = readableBody(bytes, contentType, truncated);
      if (truncated) {
        result.truncated = true;
        result.note = `The response is larger than ${sizeLabel}; only its first ${sizeLabel} are shown.`;
      }
    }
    // Error statuses are failed calls for the model, which still sees what the server said.
    return { content: JSON.stringify(result), isError: response.statusCode >= 400, structured: result };
  }

  return {
    name: 'Request',
    description: `Makes an HTTP GET or POST request to a public http(s) URL and returns the status, content type and body (parsed when JSON; at most ${sizeLabel}). POST may send a JSON body. Redirects are followed; private and internal network addresses are refused; requests time out after ${timeoutMs / 1000} s.`,
    parameters: toolParameters(requestArguments),
    kind: 'builtin',
    requiresApproval: false,
    async execute(args: unknown, context: ToolContext) {
      const parsed = parseArguments(requestArguments, args);
      if (!parsed.ok) return parsed.error;
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        return await send(firstHop(parsed.value), AbortSignal.any([context.signal, timeout]), 0);
      } catch (error) {
        return failureResult(error, { cancelled: context.signal.aborted, timedOut: timeout.aborted }, timeoutMs);
      }
    },
  };
}
