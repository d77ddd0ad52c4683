import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { RequestSeries } from './request-series.js';

export interface HttpMetrics {
  readonly registry: Registry;
  /** Called for every request: positional arguments, so that no label object is made. */
  observeRequest(method: string, route: string, status: number, durationSeconds: number): void;
  /** One batch of the knowledge indexing pipeline. */
  observeIndexBatch(figures: IndexBatchFigures): void;
  /** Time the built-in embedding model ran for one batch, on its worker thread. */
  observeLocalEmbedding(seconds: number): void;
}

export interface IndexBatchFigures {
  readonly indexed: number;
  readonly failed: number;
  readonly chunks: number;
  /** Time spent waiting for embeddings (the worker threads or the provider). */
  readonly embedSeconds: number;
  /** Time spent writing chunks and states. */
  readonly writeSeconds: number;
}

/**
 * Prometheus metrics. Each container has its own registry (no global state),
 * so several app instances in one test process do not collide.
 */
export function createMetrics(): HttpMetrics {
  const registry = new Registry();
  // The event-loop lag is sampled by a timer; prom-client's 10 ms default woke an idle server 100 times a
  // second (of its 108 wake-ups) and interrupted the request path as often. At 100 ms a stall that
  // overlaps a sample still shows in full; shorter ones between samples go unseen, which the request
  // latency histogram covers.
  collectDefaultMetrics({ register: registry, prefix: 'agentry_', eventLoopMonitoringPrecision: 100 });
  const requests = new RequestSeries({
    counterName: 'agentry_http_requests_total',
    counterHelp: 'HTTP requests by method, route pattern and status code.',
    histogramName: 'agentry_http_request_duration_seconds',
    histogramHelp: 'HTTP request latency by method, route pattern and status code.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  requests.register(registry);
  const indexedDocuments = new Counter({
    name: 'agentry_knowledge_documents_total',
    help: 'Documents the indexing pipeline finished, by result (indexed, failed).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const indexedChunks = new Counter({ name: 'agentry_knowledge_chunks_total', help: 'Chunks the indexing pipeline wrote.', registers: [registry] });
  const embedSeconds = new Counter({
    name: 'agentry_knowledge_embedding_seconds_total',
    help: 'Time the indexing pipeline spent embedding (it overlaps with writing).',
    registers: [registry],
  });
  const writeSeconds = new Counter({
    name: 'agentry_knowledge_write_seconds_total',
    help: 'Time the indexing pipeline spent writing chunks.',
    registers: [registry],
  });
  const localEmbeddingSeconds = new Counter({
    name: 'agentry_knowledge_local_model_seconds_total',
    help: 'Time the built-in embedding model ran on its worker threads (CPU-bound: about its CPU time).',
    registers: [registry],
  });
  return {
    registry,
    observeLocalEmbedding(seconds) {
      localEmbeddingSeconds.inc(seconds);
    },
    observeRequest(method, route, status, durationSeconds) {
      requests.observe(method, route, status, durationSeconds);
    },
    observeIndexBatch(figures) {
      indexedDocuments.inc({ result: 'indexed' }, figures.indexed);
      indexedDocuments.inc({ result: 'failed' }, figures.failed);
      indexedChunks.inc(figures.chunks);
      embedSeconds.inc(figures.embedSeconds);
      writeSeconds.inc(figures.writeSeconds);
    },
  };
}
