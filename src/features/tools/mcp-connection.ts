import type * as ClientModule from '@modelcontextprotocol/sdk/client/index.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type * as SseModule from '@modelcontextprotocol/sdk/client/sse.js';
import type * as StreamableModule from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type * as TypesModule from '@modelcontextprotocol/sdk/types.js';
import { OutboundAddressRefusedError } from '../../platform/outbound/index.js';
import { version } from '../../version.js';
import { untilAborted } from './ttl-cache.js';

type McpSdk = typeof ClientModule & typeof SseModule & typeof StreamableModule & typeof TypesModule;

let sdk: McpSdk | undefined;

/** The SDK loads on the first MCP connection: agents without MCP servers never pay its start-up time or memory. */
async function loadSdk(): Promise<McpSdk> {
  if (!sdk) {
    const [client, sse, streamable, types] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/client/sse.js'),
      import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
      import('@modelcontextprotocol/sdk/types.js'),
    ]);
    sdk = { ...client, ...sse, ...streamable, ...types };
  }
  return sdk;
}

export type McpTransportKind = 'streamable-http' | 'sse';

export interface McpEndpoint {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface McpConnectOptions {
  /** A fetch over the guarded outbound dispatcher, so the address policy holds for MCP too. */
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** The transport that worked before; without it, Streamable HTTP is tried, then SSE. */
  readonly transport?: McpTransportKind;
}

export interface McpConnection {
  readonly client: Client;
  readonly transport: McpTransportKind;
  close(): Promise<void>;
}

/** An MCP server could not be reached or used; the message is safe to show (no URL). */
export class McpUnavailableError extends Error {
  constructor(message: string, options: { readonly cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'McpUnavailableError';
  }
}

function causeOfType<T>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth += 1) {
    if (current instanceof type) return current;
    current = current.cause;
  }
  return undefined;
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

function isTimeout(error: unknown): boolean {
  // Without the SDK loaded, no error can be one of its errors.
  if (sdk && error instanceof sdk.McpError) return error.code === (sdk.ErrorCode.RequestTimeout as number);
  return error instanceof Error && error.name === 'TimeoutError';
}

/** Why an MCP exchange failed, in words that carry no URL or header. */
export function describeMcpFailure(error: unknown, timeoutMs: number): string {
  const refusal = causeOfType(error, OutboundAddressRefusedError);
  if (refusal) return refusal.message;
  if (isTimeout(error)) return `no answer within ${timeoutMs / 1000} s`;
  if (error instanceof Error && error.name === 'AbortError') return 'cancelled';
  if (error instanceof McpUnavailableError) return error.message;
  if (sdk && (error instanceof sdk.StreamableHTTPError || error instanceof sdk.SseError)) {
    return error.code === undefined ? 'the server could not be reached' : `the server answered HTTP ${error.code}`;
  }
  if (sdk && error instanceof sdk.McpError) return `the server reported an error (${error.code}): ${error.message.slice(0, 500)}`;
  const code = networkCode(error);
  return code ? `the connection failed (${code})` : 'the connection failed';
}

async function connectOnce(kind: McpTransportKind, endpoint: McpEndpoint, options: McpConnectOptions, signal: AbortSignal): Promise<McpConnection> {
  const { Client, SSEClientTransport, StreamableHTTPClientTransport } = await loadSdk();
  const url = new URL(endpoint.url);
  const requestInit: RequestInit = { headers: { ...endpoint.headers } };
  const transport =
    kind === 'sse'
      ? new SSEClientTransport(url, { fetch: options.fetch, requestInit })
      : new StreamableHTTPClientTransport(url, { fetch: options.fetch, requestInit });
  const client = new Client({ name: 'agentry', version });
  try {
    // The SDK's timeout covers `initialize` only; SSE's start (waiting for the endpoint event) needs the signal race.
    await untilAborted(client.connect(transport, { signal, timeout: options.timeoutMs }), signal);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  return {
    client,
    transport: kind,
    async close() {
      // Ends the server's session when it keeps one; a server that has none or is gone is no concern of the caller's.
      if (transport instanceof StreamableHTTPClientTransport && transport.sessionId !== undefined) {
        await transport.terminateSession().catch(() => undefined);
      }
      await client.close().catch(() => undefined);
    },
  };
}

/**
 * Connects to an MCP server: Streamable HTTP first, then the older SSE
 * transport when that fails for a reason other than time, cancellation or the
 * address policy (which SSE would hit the same way).
 */
export async function connectMcp(endpoint: McpEndpoint, options: McpConnectOptions): Promise<McpConnection> {
  if (!URL.canParse(endpoint.url)) throw new McpUnavailableError('the server URL is not a valid URL');
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  if (options.transport) return connectOnce(options.transport, endpoint, options, signal);
  try {
    return await connectOnce('streamable-http', endpoint, options, signal);
  } catch (error) {
    if (signal.aborted || causeOfType(error, OutboundAddressRefusedError)) throw error;
    try {
      return await connectOnce('sse', endpoint, options, signal);
    } catch (sseError) {
      // An HTTP refusal of Streamable HTTP says the server is there, so SSE's failure tells more; otherwise the first one does.
      throw sdk && error instanceof sdk.StreamableHTTPError && error.code !== undefined ? sseError : error;
    }
  }
}
