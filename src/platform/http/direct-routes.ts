import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { errorCodes } from 'fastify';
import secureJsonParse from 'secure-json-parse';
import type { Logger } from '../logging/logger.js';
import { RequestLogger } from '../logging/request-logger.js';
import type { HttpMetrics } from '../metrics/metrics.js';
import { CORRELATION_HEADER, correlationIdOf } from './correlation-id.js';
import { ClientDisconnect } from './request-signal.js';
import { errorReplyFor, recordResponse } from './request-outcome.js';
import { SSE_HEADERS } from './sse-relay.js';
import { sendStreamBody } from './stream-body.js';

/**
 * Routes served straight from node's request listener, ahead of Fastify's
 * router. At 50 connections the gateway's main thread is what limits it, and
 * Fastify's machinery per request (router, request and reply objects, hook
 * runner, content-type parser, reply serialization) costs about a tenth of
 * a whole proxied call: bench/inference-instructions.ts counts 280k
 * instructions for a Fastify pass-through and 245k for the same on node:http.
 *
 * A direct route takes only the plain shape of its request — POST to the
 * exact path, a JSON body with a Content-Length — and answers it as the
 * Fastify route of the same path would: correlation id, authentication
 * before the body is read, Fastify's body limit and JSON parser settings,
 * the same error bodies, access line and metrics. Anything else (a query
 * string, a trailing slash, a chunked or non-JSON body) goes to that Fastify
 * route, which stays the documented definition.
 */

/** What a direct route's handler gets besides the body. */
export interface DirectExchange {
  readonly request: IncomingMessage;
  /** The correlation id, answered in `X-Correlation-Id`. */
  readonly id: string;
  readonly log: RequestLogger;
  /** Fires when the client goes away before the response is complete. */
  readonly disconnect: ClientDisconnect;
}

/** A 200 reply: JSON (already encoded, or a value to encode), or a server-sent event stream. */
export type DirectReply =
  | { readonly kind: 'json'; readonly headers: Readonly<Record<string, string>>; readonly body: unknown; readonly encoded?: string }
  | { readonly kind: 'stream'; readonly headers: Readonly<Record<string, string>>; readonly body: Readable };

export interface DirectRoute<Admission> {
  /** Served for POST only. */
  readonly path: string;
  /** Runs before the body is read (authentication), so an anonymous client is refused before its body is parsed. */
  admit(request: IncomingMessage): Admission | Promise<Admission>;
  /** `body` is parsed JSON, not yet validated. */
  serve(admission: Admission, body: unknown, exchange: DirectExchange): Promise<DirectReply>;
}

export interface DirectRoutesOptions {
  readonly logger: Logger;
  readonly metrics: HttpMetrics;
  readonly bodyLimitBytes: number;
}

/** Fastify's JSON parser settings: a body with `__proto__` or `constructor.prototype` is refused. */
const JSON_PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;
/** What Fastify answers while it closes, byte for byte. */
const CLOSING_BODY = '{"error":"Service Unavailable","message":"Service Unavailable","statusCode":503}';

const JSON_CONTENT_TYPE = { 'content-type': 'application/json; charset=utf-8' } as const;

/**
 * A response's headers as the flat name/value list writeHead takes. Not an
 * object literal: one that spreads the handler's headers and adds the
 * correlation header under a computed name goes through V8's runtime and
 * builds a new hidden class each time (12k instructions per call).
 */
function headerList(id: string, own: Readonly<Record<string, string>>, fixed: Readonly<Record<string, string>>, contentLength: number | undefined): string[] {
  const list = [CORRELATION_HEADER, id];
  for (const name in own) list.push(name, own[name]!);
  for (const name in fixed) list.push(name, fixed[name]!);
  if (contentLength !== undefined) list.push('content-length', String(contentLength));
  return list;
}

function sendJson(response: ServerResponse, status: number, id: string, headers: Readonly<Record<string, string>>, text: string): void {
  response.writeHead(status, headerList(id, headers, JSON_CONTENT_TYPE, Buffer.byteLength(text)));
  response.end(text);
}

function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  return value === 'application/json' || value.toLowerCase().startsWith('application/json;');
}

export class DirectRoutes {
  readonly #routes = new Map<string, DirectRoute<unknown>>();
  #closing = false;

  constructor(private readonly options: DirectRoutesOptions) {}

  add<Admission>(route: DirectRoute<Admission>): void {
    if (this.#routes.has(route.path)) throw new Error(`A direct route for ${route.path} is already registered.`);
    this.#routes.set(route.path, route as DirectRoute<unknown>);
  }

  /** From now on every direct request is answered 503, as Fastify answers its own while it closes. */
  close(): void {
    this.#closing = true;
  }

  /** The server's request listener: direct routes first, everything else to `fallback` (Fastify's). */
  listener(fallback: RequestListener): RequestListener {
    return (request, response) => {
      const route = request.method === 'POST' ? this.#routes.get(request.url ?? '') : undefined;
      if (
        route === undefined ||
        request.headers['content-length'] === undefined ||
        request.headers['transfer-encoding'] !== undefined ||
        !isJsonContentType(request.headers['content-type'])
      ) {
        fallback(request, response);
        return;
      }
      this.serve(route, request, response);
    };
  }

  private serve(route: DirectRoute<unknown>, request: IncomingMessage, response: ServerResponse): void {
    const startedAt = performance.now();
    const { options } = this;
    const id = correlationIdOf(request);
    const log = new RequestLogger(options.logger, { reqId: id }, {});
    const disconnect = new ClientDisconnect();
    const path = route.path;
    response.on('close', () => {
      if (!response.writableFinished) disconnect.abort(new Error('client disconnected'));
      recordResponse(options.metrics, log, {
        method: 'POST',
        // The exact path: a request with a query string is not served here.
        url: path,
        route: path,
        status: response.statusCode,
        durationMs: performance.now() - startedAt,
      });
    });

    if (this.#closing) {
      response.writeHead(503, { 'content-type': 'application/json', 'content-length': String(CLOSING_BODY.length), connection: 'close' });
      response.end(CLOSING_BODY);
      return;
    }

    const exchange: DirectExchange = { request, id, log, disconnect };
    const fail = (error: unknown) => this.fail(exchange, response, error);
    const proceed = (admission: unknown) => {
      this.readBody(request, (error, body) => {
        if (error !== null) {
          // The rest of the body may still be arriving; the connection cannot be reused.
          response.setHeader('connection', 'close');
          fail(error);
          return;
        }
        let served: Promise<DirectReply>;
        try {
          served = route.serve(admission, body, exchange);
        } catch (thrown) {
          // A handler that is not `async` may throw before it returns its promise.
          fail(thrown);
          return;
        }
        served.then((reply) => this.reply(exchange, response, reply), fail);
      });
    };
    let admission: unknown;
    try {
      admission = route.admit(request);
    } catch (error) {
      fail(error);
      return;
    }
    if (admission instanceof Promise) admission.then(proceed, fail);
    else proceed(admission);
  }

  /** Reads and parses the body as Fastify's JSON parser does, with its errors. */
  private readBody(request: IncomingMessage, done: (error: Error | null, body?: unknown) => void): void {
    const limit = this.options.bodyLimitBytes;
    const declaredLength = Number(request.headers['content-length']);
    if (!(declaredLength <= limit)) {
      done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => {
      request.off('data', onData);
      // Node's parser ends the body at Content-Length, so `received` cannot exceed the limit checked above.
      if (received === 0) {
        done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY());
        return;
      }
      const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8');
      let body: unknown;
      try {
        body = secureJsonParse.parse(text, undefined, JSON_PARSE_OPTIONS);
      } catch {
        done(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY());
        return;
      }
      done(null, body);
    };
    request.on('data', onData);
    request.once('end', onEnd);
    // A request that fails while its body arrives closes the response, which the close listener accounts for.
    request.once('error', () => request.off('data', onData).off('end', onEnd));
  }

  private reply(exchange: DirectExchange, response: ServerResponse, reply: DirectReply): void {
    if (reply.kind === 'json') {
      sendJson(response, 200, exchange.id, reply.headers, reply.encoded ?? JSON.stringify(reply.body));
      return;
    }
    response.writeHead(200, headerList(exchange.id, reply.headers, SSE_HEADERS, undefined));
    sendStreamBody(response, reply.body, exchange.log);
  }

  private fail(exchange: DirectExchange, response: ServerResponse, error: unknown): void {
    const answer = errorReplyFor(error, exchange.request.url ?? '', exchange.log);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (response.destroyed) return;
    sendJson(response, answer.status, exchange.id, answer.headers, JSON.stringify(answer.body));
  }
}
