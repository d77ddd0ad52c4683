import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController, type RawServerDefault } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import { ACCESS_LOG_MESSAGE, type AccessLogger, writeAccessLine } from '../logging/access-log.js';
import { type Logger, redactUrl } from '../logging/logger.js';
import { RequestLogger } from '../logging/request-logger.js';
import type { HttpMetrics } from '../metrics/metrics.js';
import { agentryErrorBody, openAiErrorBody, statusOf, toAppError } from './error-mapping.js';

export type AppInstance = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

export interface ServerOptions {
  readonly logger: Logger;
  readonly metrics: HttpMetrics;
  readonly bodyLimitBytes: number;
}

export const CORRELATION_HEADER = 'x-correlation-id';
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** A client's correlation id is kept when it is a sane token; otherwise a new one is made. */
function correlationIdOf(request: IncomingMessage): string {
  const header = request.headers[CORRELATION_HEADER];
  return typeof header === 'string' && CORRELATION_ID_PATTERN.test(header) ? header : newId();
}

/** `/v1` speaks OpenAI's error shape, which the OpenAI-compatible SDKs parse. */
function errorBodyFor(url: string, error: AppError): unknown {
  return url.startsWith('/v1/') || url === '/v1' ? openAiErrorBody(error) : agentryErrorBody(error);
}

export function createServer(options: ServerOptions): AppInstance {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; naming the base type keeps AppInstance one type everywhere.
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    genReqId: correlationIdOf,
    // One line per request, written in onResponse below, instead of Fastify's two;
    // request errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // A pino child per request only once something logs through it (see RequestLogger).
    childLoggerFactory: (logger, bindings, childOptions) => new RequestLogger(logger as Logger, bindings, childOptions) as unknown as FastifyBaseLogger,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Callback-style hooks: these run on every request, and an async hook costs a promise and a microtask each time.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(CORRELATION_HEADER, request.id);
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const durationMs = reply.elapsedTime;
    options.metrics.observeRequest(request.method, route, reply.statusCode, durationMs / 1000);
    const line = { method: request.method, url: redactUrl(request.url), route, status: reply.statusCode, durationMs };
    // Probes and scrapes arrive every few seconds; they would drown the requests that matter.
    if (QUIET_ROUTES.has(route)) request.log.debug(line, ACCESS_LOG_MESSAGE);
    else writeAccessLine(request.log as unknown as AccessLogger, line);
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    const status = statusOf(appError);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: appError.code, status }, 'request rejected');
    if (reply.sent || reply.raw.headersSent) return;
    const retryAfter = (appError as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(Math.ceil(retryAfter)));
    return reply.status(status).send(errorBodyFor(request.url, appError));
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new AppError('not_found', 'route_not_found', `No route ${request.method} ${request.url.split('?')[0]}.`);
    return reply.status(404).send(errorBodyFor(request.url, error));
  });

  return app;
}
