import { Worker } from 'node:worker_threads';
import { siblingWorkerUrl, workerEntry } from '../../../platform/workers/worker-entry.js';
import type { Embedder } from './embedder.js';
import type { EmbedReply, EmbedRequest } from './local-embedder.worker.js';

export interface LocalEmbedderOptions {
  /** Worker threads, each holding its own copy of the model and using one core while it embeds; default 1. */
  readonly workers?: number;
  /** Texts per message to a worker: a larger input is split and its batches spread over idle workers. Default 32. */
  readonly batchSize?: number;
  /** The worker script; defaults to local-embedder.worker beside this module. Tests substitute their own. */
  readonly workerUrl?: URL;
  /** Told how long the model ran for each batch (for metrics). */
  readonly onCompute?: (milliseconds: number) => void;
}

/** Universal Sentence Encoder Lite's vector length. */
const DIMENSIONS = 512;
const DEFAULT_BATCH_SIZE = 32;

/** One `embed()` call: its vectors fill in as its batches come back, in any order. */
interface PendingCall {
  readonly vectors: Float32Array[];
  remaining: number;
  settled: boolean;
  readonly resolve: (vectors: Float32Array[]) => void;
  readonly reject: (reason: unknown) => void;
}

interface Batch {
  readonly id: number;
  readonly call: PendingCall;
  readonly offset: number;
  readonly texts: readonly string[];
}

/** A worker thread and the one batch it is embedding, if any. */
interface PooledWorker {
  readonly worker: Worker;
  batch: Batch | undefined;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

/**
 * The built-in, zero-configuration embedding model: Universal Sentence Encoder
 * Lite (512 dimensions, English) in a pool of worker threads. No worker starts
 * before the first `embed()`; each loads the model on its first batch and keeps
 * it. Idle workers are unref'd, so they never keep the process alive.
 */
export class LocalEmbedder implements Embedder {
  readonly model = 'local';
  private readonly batchSize: number;
  private readonly workerUrl: URL;
  private readonly pool: Array<PooledWorker | undefined>;
  private readonly queue: Batch[] = [];
  private lastBatchId = 0;
  private closed = false;

  constructor(private readonly options: LocalEmbedderOptions = {}) {
    this.batchSize = positiveInteger(options.batchSize, DEFAULT_BATCH_SIZE, 'batchSize');
    this.pool = new Array<PooledWorker | undefined>(positiveInteger(options.workers, 1, 'workers')).fill(undefined);
    this.workerUrl = options.workerUrl ?? siblingWorkerUrl(import.meta.url, 'local-embedder.worker');
  }

  dimensions(): Promise<number> {
    return Promise.resolve(DIMENSIONS);
  }

  /** Worker threads currently started (busy or idle). */
  get runningWorkers(): number {
    return this.pool.filter((pooled) => pooled !== undefined).length;
  }

  /**
   * An abort rejects at once with the signal's reason; a batch a worker has
   * already started runs to its end there and its vectors are discarded.
   */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (this.closed) return Promise.reject(new Error('The local embedder is closed.'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (texts.length === 0) return Promise.resolve([]);
    return new Promise<Float32Array[]>((resolve, reject) => {
      const onAbort = () => this.fail(call, signal?.reason);
      const call: PendingCall = {
        vectors: new Array<Float32Array>(texts.length),
        remaining: Math.ceil(texts.length / this.batchSize),
        settled: false,
        resolve: (vectors) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(vectors);
        },
        reject: (reason) => {
          signal?.removeEventListener('abort', onAbort);
          reject(reason);
        },
      };
      for (let offset = 0; offset < texts.length; offset += this.batchSize) {
        this.queue.push({ id: (this.lastBatchId += 1), call, offset, texts: texts.slice(offset, offset + this.batchSize) });
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.dispatch();
    });
  }

  /** Ends every worker; pending calls reject and later ones are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const closing = new Error('The local embedder was closed.');
    for (const batch of this.queue.splice(0)) this.fail(batch.call, closing);
    const running = this.pool.flatMap((pooled) => (pooled ? [pooled] : []));
    this.pool.fill(undefined);
    for (const pooled of running) {
      if (pooled.batch) this.fail(pooled.batch.call, closing);
      pooled.batch = undefined;
    }
    await Promise.all(running.map((pooled) => pooled.worker.terminate()));
  }

  /** Hands queued batches to idle workers, starting one in an empty slot when there is work for it. */
  private dispatch(): void {
    for (let slot = 0; slot < this.pool.length && this.queue.length > 0; slot += 1) {
      let pooled: PooledWorker;
      try {
        pooled = this.pool[slot] ?? this.start(slot);
      } catch (error) {
        // The thread could not even be created (resources exhausted): nothing queued can run now.
        for (const batch of this.queue.splice(0)) this.fail(batch.call, error);
        return;
      }
      if (pooled.batch) continue;
      const batch = this.queue.shift() as Batch;
      pooled.batch = batch;
      pooled.worker.ref();
      const request: EmbedRequest = { id: batch.id, texts: batch.texts };
      pooled.worker.postMessage(request);
    }
  }

  private start(slot: number): PooledWorker {
    const { script, options } = workerEntry(this.workerUrl, { name: 'agentry-local-embedder' });
    const worker = new Worker(script, options);
    const pooled: PooledWorker = { worker, batch: undefined };
    let uncaught: Error | undefined;
    worker.on('message', (reply: EmbedReply) => this.receive(pooled, reply));
    worker.on('messageerror', (error) => this.finishBatch(pooled, undefined, new Error(`The local embedding worker sent an unreadable answer: ${error.message}`)));
    worker.on('error', (error) => {
      uncaught = error;
    });
    worker.on('exit', (code) => this.onExit(slot, pooled, code, uncaught));
    this.pool[slot] = pooled;
    return pooled;
  }

  private receive(pooled: PooledWorker, reply: EmbedReply): void {
    if (pooled.batch?.id !== reply.id) return;
    if ('error' in reply) this.finishBatch(pooled, undefined, new Error(`The local embedding model failed: ${reply.error}`));
    else {
      if (Number.isFinite(reply.computeMs)) this.options.onCompute?.(reply.computeMs);
      this.finishBatch(pooled, reply.vectors, undefined);
    }
  }

  private finishBatch(pooled: PooledWorker, vectors: readonly Float32Array[] | undefined, error: Error | undefined): void {
    const batch = pooled.batch;
    if (!batch) return;
    pooled.batch = undefined;
    const { call } = batch;
    if (error || !vectors || vectors.length !== batch.texts.length) {
      this.fail(call, error ?? new Error(`The local embedding worker answered ${vectors?.length ?? 0} vectors for ${batch.texts.length} texts.`));
    } else if (!call.settled) {
      vectors.forEach((vector, index) => {
        call.vectors[batch.offset + index] = vector;
      });
      call.remaining -= 1;
      if (call.remaining === 0) {
        call.settled = true;
        call.resolve(call.vectors);
      }
    }
    this.dispatch();
    if (!pooled.batch) pooled.worker.unref();
  }

  /** A worker that ended without being closed crashed: its batch fails, and its slot starts afresh when work arrives. */
  private onExit(slot: number, pooled: PooledWorker, code: number, uncaught: Error | undefined): void {
    if (this.pool[slot] === pooled) this.pool[slot] = undefined;
    const batch = pooled.batch;
    pooled.batch = undefined;
    if (batch) {
      const why = uncaught ? `: ${uncaught.message}` : '';
      this.fail(batch.call, new Error(`The local embedding worker stopped unexpectedly (exit code ${code})${why}.`, { cause: uncaught }));
    }
    if (!this.closed) this.dispatch();
  }

  /** Rejects a call once and drops its batches still waiting for a worker. */
  private fail(call: PendingCall, reason: unknown): void {
    if (call.settled) return;
    call.settled = true;
    for (let index = this.queue.length - 1; index >= 0; index -= 1) {
      if (this.queue[index]?.call === call) this.queue.splice(index, 1);
    }
    call.reject(reason);
  }
}
