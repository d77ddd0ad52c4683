import { Worker } from 'node:worker_threads';
import { siblingWorkerUrl, workerEntry } from '../workers/worker-entry.js';
import type { WriteBatchReply, WriteBatchRequest, WriteStatement, WriteThreadData } from './sqlite-write-thread.worker.js';

export type { WriteParameter, WriteStatement } from './sqlite-write-thread.worker.js';

/** Whatever a batch holds, the thread's heap stays small: it only binds parameters and runs statements. */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 } as const;

interface PendingBatch {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** A batch the thread refused, with SQLite's error code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_…`). */
export class WriteBatchError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'WriteBatchError';
  }
}

/**
 * Runs batches of write statements on a worker thread with its own
 * connection to the SQLite file, each batch as one transaction, so that
 * high-volume bookkeeping (usage records) does not take the main thread's
 * time: on SQLite every statement runs synchronously on the thread that
 * issues it, and the main thread is what limits a node's throughput.
 *
 * The thread starts with the first batch and is unref'd while it has none.
 * If it dies, the batches in flight fail and the next batch starts a new one.
 */
export class SqliteWriteThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, PendingBatch>();
  private readonly inFlight = new Set<Promise<void>>();
  private lastId = 0;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly workerUrl: URL = siblingWorkerUrl(import.meta.url, 'sqlite-write-thread.worker'),
  ) {}

  /** Resolves once the batch is committed; rejects (nothing of it written) if it could not be. */
  run(statements: readonly WriteStatement[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The SQLite write thread is closed.'));
    for (const { parameters } of statements) {
      for (const value of parameters) {
        // JSON would turn these into null: refuse them rather than write something else.
        if (typeof value === 'number' && !Number.isFinite(value)) return Promise.reject(new RangeError(`A write thread parameter must be finite, got ${value}.`));
      }
    }
    const worker = this.worker ?? this.start();
    const id = ++this.lastId;
    const written = new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      const request: WriteBatchRequest = { id, sql: statements.map((statement) => statement.sql), parameters: JSON.stringify(statements.map((statement) => statement.parameters)) };
      worker.postMessage(request);
    });
    this.inFlight.add(written);
    const forget = () => this.inFlight.delete(written);
    written.then(forget, forget);
    return written;
  }

  /** Waits for the batches in flight, then stops the thread; later batches are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.inFlight);
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    const data: WriteThreadData = { file: this.file };
    const { script, options } = workerEntry(this.workerUrl, { name: 'agentry-sqlite-writer', workerData: data, resourceLimits: RESOURCE_LIMITS });
    const worker = new Worker(script, options);
    let uncaught: Error | undefined;
    worker.on('message', (reply: WriteBatchReply) => this.settle(reply));
    worker.on('error', (error) => {
      uncaught = error;
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      const reason = uncaught ?? new Error(`The SQLite write thread exited (code ${code}).`);
      for (const batch of this.pending.values()) batch.reject(reason);
      this.pending.clear();
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(reply: WriteBatchReply): void {
    const batch = this.pending.get(reply.id);
    if (!batch) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('error' in reply) batch.reject(new WriteBatchError(reply.error, reply.code));
    else batch.resolve();
  }
}
