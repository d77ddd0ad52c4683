import { z } from 'zod';
import type { Database } from '../../platform/db/database.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import type { HttpMetrics } from '../../platform/metrics/metrics.js';
import { errorBodySchema } from '../shared/responses.js';

export interface OperationsDependencies {
  readonly database: Database;
  readonly metrics: HttpMetrics;
}

const tags = ['Operations'];
const statusSchema = z.object({ status: z.string() });

/** Probes and metrics for operators; unauthenticated, like most health endpoints. */
export function registerOperationsRoutes(app: AppInstance, deps: OperationsDependencies): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags,
        summary: 'Liveness',
        description: 'The process is up. Needs no credentials.',
        response: { 200: statusSchema },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags,
        summary: 'Readiness',
        description: 'The database answers. 503 while it does not, or while the server shuts down. Needs no credentials.',
        response: { 200: statusSchema, 503: errorBodySchema },
      },
    },
    async (request, reply) => {
      try {
        await deps.database.ping();
        return { status: 'ready' };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        return reply.status(503).send({ error: { code: 'not_ready', message: 'The database is not reachable.' } });
      }
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags,
        summary: 'Prometheus metrics',
        description: 'Request counts and latency histograms by route and status, plus process metrics, in the Prometheus text format.',
        produces: ['text/plain'],
      },
    },
    async (_request, reply) => {
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    },
  );
}
