import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController, type RawServerDefault } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../errors.js';
import { type Logger, redactUrl } from '../logging/logger.js';
import { RequestLogger } from '../logging/request-logger.js';
import type { HttpMetrics } from '../metrics/metrics.js';
import { CORRELATION_HEADER, correlationIdOf } from './correlation-id.js';
import type { DirectRoutes } from './direct-routes.js';
import { errorBodyFor, errorReplyFor, type RequestLog, recordResponse } from './request-outcome.js';

export type AppInstance = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

export interface ServerOptions {
  readonly logger: Logger;
  readonly metrics: HttpMetrics;
  readonly bodyLimitBytes: number;
  /** Served ahead of Fastify's router (see direct-routes.ts). */
  readonly directRoutes?: DirectRoutes;
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
    // The server Fastify would make, with the direct routes' listener in front of Fastify's.
    serverFactory: (fastifyListener, serverOptions) => {
      const { directRoutes } = options;
      // Fastify's options with its defaults filled in, as it would apply them to its own server.
      const timeouts = serverOptions as { keepAliveTimeout: number; requestTimeout: number; connectionTimeout: number };
      const server = http.createServer(directRoutes ? directRoutes.listener(fastifyListener) : fastifyListener);
      server.keepAliveTimeout = timeouts.keepAliveTimeout;
      server.requestTimeout = timeouts.requestTimeout;
      server.setTimeout(timeouts.connectionTimeout);
      return server;
    },
  }).withTypeProvider<ZodTypeProvider>();

  // Fastify answers 503 to requests that arrive while it closes; direct routes do the same.
  if (options.directRoutes) {
    const { directRoutes } = options;
    app.addHook('preClose', (done) => {
      directRoutes.close();
      done();
    });
  }

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Callback-style hooks: these run on every request, and an async hook costs a promise and a microtask each time.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(CORRELATION_HEADER, request.id);
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    recordResponse(options.metrics, request.log as unknown as RequestLog, {
      method: request.method,
      url: redactUrl(request.url),
      route,
      status: reply.statusCode,
      durationMs: reply.elapsedTime,
    });
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    const answer = errorReplyFor(error, request.url, request.log as unknown as RequestLog);
    if (reply.sent || reply.raw.headersSent) return;
    return reply.status(answer.status).headers(answer.headers).send(answer.body);
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new AppError('not_found', 'route_not_found', `No route ${request.method} ${request.url.split('?')[0]}.`);
    return reply.status(404).send(errorBodyFor(request.url, error));
  });

  return app;
}
