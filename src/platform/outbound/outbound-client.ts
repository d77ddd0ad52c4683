import { Agent, type Dispatcher } from 'undici';
import { type BufferedResponse, type DispatchSignal, type StreamedResponse, dispatchBuffered, dispatchStreamed } from './dispatched-response.js';
import { createGuardedConnector } from './guarded-connector.js';
import { OutboundAddressRefusedError } from './outbound-errors.js';
import type { OutboundPolicy } from './outbound-policy.js';
import { parseOutboundUrl, refusalForIpLiteral } from './outbound-url.js';

export interface OutboundClientOptions {
  readonly policy: OutboundPolicy;
  /**
   * Operator-declared endpoints (configuration, not tenant input) skip the
   * address policy; their URLs are still validated.
   */
  readonly trusted?: boolean;
  readonly connectTimeoutMs?: number;
  /** Defaults for every request; a request may pass its own. */
  readonly headersTimeoutMs?: number;
  readonly bodyTimeoutMs?: number;
  /** Caps a response body so a tenant-chosen server cannot exhaust memory. */
  readonly maxResponseBytes?: number;
}

export type OutboundRequestOptions = Partial<
  Pick<Dispatcher.RequestOptions, 'method' | 'headers' | 'body' | 'signal' | 'headersTimeout' | 'bodyTimeout'>
>;

export interface OutboundClient {
  /** For undici's `stream`/`pipeline`; every connection it opens is guarded too. */
  readonly dispatcher: Dispatcher;
  request(url: string | URL, options?: OutboundRequestOptions): Promise<Dispatcher.ResponseData>;
  /** The same request, resolved once the whole response has arrived: for replies read only when complete. */
  requestBuffered(url: string | URL, options?: OutboundRequestOptions): Promise<BufferedResponse>;
  /** The same request, resolved once its status is known, with a plain Readable for a body (no body mixin): for relayed streams. */
  requestStreamed(url: string | URL, options?: OutboundRequestOptions): Promise<StreamedResponse>;
  close(): Promise<void>;
}

// undici's own defaults: a non-streaming model call may think for minutes before its headers.
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 300_000;
const DEFAULT_BODY_TIMEOUT_MS = 300_000;
const PARSED_URL_CACHE_SIZE = 1_000;

/** What a request needs of its URL. */
interface RequestTarget {
  readonly hostname: string;
  readonly origin: string;
  /** Path and query. */
  readonly path: string;
}

function targetOf(url: URL): RequestTarget {
  return { hostname: url.hostname, origin: url.origin, path: `${url.pathname}${url.search}` };
}

/** undici reports connector failures as they were raised, but may wrap them; find ours. */
function refusalIn(error: unknown): OutboundAddressRefusedError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current instanceof OutboundAddressRefusedError) return current;
    current = current.cause;
  }
  return undefined;
}

/**
 * The one way to make tenant-driven outbound HTTP calls. The agent's connector
 * enforces the address policy on every connection; `request` also refuses
 * refused IP literals up front, so they fail without touching the pool.
 */
export function createOutboundClient(options: OutboundClientOptions): OutboundClient {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const agent = new Agent({
    ...(options.trusted
      ? { connectTimeout: connectTimeoutMs }
      : { connect: createGuardedConnector(options.policy, { connectTimeoutMs }) }),
    headersTimeout: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    bodyTimeout: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
    maxResponseSize: options.maxResponseBytes ?? -1,
  });

  // The same few provider URLs recur on every call; parsing each once (and taking its parts once) is enough.
  const parsedUrls = new Map<string, RequestTarget>();
  const parse = (url: string | URL): RequestTarget => {
    if (typeof url !== 'string') return targetOf(parseOutboundUrl(url));
    let parsed = parsedUrls.get(url);
    if (!parsed) {
      parsed = targetOf(parseOutboundUrl(url));
      if (parsedUrls.size >= PARSED_URL_CACHE_SIZE) parsedUrls.clear();
      parsedUrls.set(url, parsed);
    }
    return parsed;
  };

  /** A request by one of undici's ways (or dispatched-response.ts's handlers), the address policy applied and refusals unwrapped. */
  const dispatchTo = <Response>(
    dispatch: (dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal?: DispatchSignal | null) => Promise<Response>,
    url: string | URL,
    requestOptions: OutboundRequestOptions,
  ): Promise<Response> => {
    let target: RequestTarget;
    try {
      target = parse(url);
      // A refused IP literal fails without touching the pool; names are checked by the connector once resolved.
      if (!options.trusted) {
        const refusal = refusalForIpLiteral(options.policy, target.hostname);
        if (refusal) throw refusal;
      }
    } catch (error) {
      return Promise.reject(error);
    }
    // Fields are picked, not spread, so nothing can swap the guarded dispatcher out.
    const { method = 'GET', headers, body, signal, headersTimeout, bodyTimeout } = requestOptions;
    // undici declares `signal` as AbortSignal | EventEmitter | null, which its typings resolve to unknown here.
    const cancellation = signal as DispatchSignal | null | undefined;
    // An explicit GET: undici would otherwise turn a request with a body into a PUT.
    // The agent is called with origin and path: undici's top-level request() would parse the URL again.
    return dispatch(agent, { origin: target.origin, path: target.path, method, headers, body, headersTimeout, bodyTimeout }, cancellation).catch(
      (error: unknown) => {
        throw refusalIn(error) ?? error;
      },
    );
  };

  return {
    dispatcher: agent,
    // Not async functions: these run for every model call, and the dispatch's promise is enough.
    request(url, requestOptions = {}) {
      return dispatchTo((dispatcher, dispatchOptions, signal) => dispatcher.request({ ...dispatchOptions, signal }), url, requestOptions);
    },
    requestBuffered(url, requestOptions = {}) {
      return dispatchTo(dispatchBuffered, url, requestOptions);
    },
    requestStreamed(url, requestOptions = {}) {
      return dispatchTo(dispatchStreamed, url, requestOptions);
    },
    close: () => agent.close(),
  };
}
