import { randomUUID } from 'node:crypto';
import type { Logger } from '../logging/logger.js';
import { type JobDefinition, retryDelayMs } from './job-definition.js';
import type { JobQueue, JobRow } from './job-queue.js';

export interface RecurringJob {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the catalog holds definitions of every payload type
  readonly definition: JobDefinition<any>;
  readonly payload: unknown;
  readonly everyMs: number;
}

export interface JobWorkerOptions {
  readonly queue: JobQueue;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the catalog holds definitions of every payload type
  readonly definitions: readonly JobDefinition<any>[];
  readonly recurring?: readonly RecurringJob[];
  readonly concurrency: number;
  readonly pollIntervalMs: number;
  readonly logger: Logger;
}

/** Time a lease outlives its job's timeout, for the bookkeeping after the handler. */
const LEASE_GRACE_MS = 5_000;

/**
 * Runs due jobs from the queue, at most `concurrency` at a time, and enqueues
 * recurring jobs once per period (the period is the idempotency key, so
 * several nodes enqueue each run once).
 */
export class JobWorker {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see options
  private readonly definitions = new Map<string, JobDefinition<any>>();
  private readonly running = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  private readonly workerId = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  /** The last poll; polls run one after another (see pollOnce). */
  private polls: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(private readonly options: JobWorkerOptions) {
    for (const definition of options.definitions) this.definitions.set(definition.name, definition);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops claiming, waits up to `drainMs` for running jobs, then aborts them. */
  async stop(drainMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polls;
    const all = Promise.allSettled([...this.running.values()].map((job) => job.promise));
    const drained = await Promise.race([all.then(() => true), delay(drainMs).then(() => false)]);
    if (!drained) {
      for (const job of this.running.values()) job.abort.abort(new Error('worker shutting down'));
      await all;
    }
  }

  /**
   * One poll: enqueue recurring jobs, then claim and start what fits. Exposed
   * for tests. Polls are queued behind each other: the timer's poll and the one
   * a finished job starts would otherwise both count the same free slots and
   * together claim more than `concurrency` jobs.
   */
  pollOnce(): Promise<number> {
    const poll = this.polls.then(() => this.claimAndLaunch());
    this.polls = poll.catch(() => undefined);
    return poll;
  }

  private async claimAndLaunch(): Promise<number> {
    await this.enqueueRecurring();
    const free = this.options.concurrency - this.running.size;
    if (free <= 0) return 0;
    const names = [...this.definitions.keys()];
    const leaseToken = `${this.workerId}:${randomUUID()}`;
    const jobs = await this.options.queue.claim(names, free, (name) => this.leaseMs(name), leaseToken);
    for (const job of jobs) this.launch(job, leaseToken);
    return jobs.length;
  }

  /** Resolves when every job started so far has finished. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()].map((job) => job.promise));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.pollOnce()
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'job poll failed'))
        .then(() => this.schedule(this.options.pollIntervalMs));
    }, delayMs);
    this.timer.unref();
  }

  private leaseMs(name: string): number {
    return (this.definitions.get(name)?.timeoutMs ?? 60_000) + LEASE_GRACE_MS;
  }

  private launch(job: JobRow, leaseToken: string): void {
    const abort = new AbortController();
    const promise = this.run(job, leaseToken, abort)
      // Recording the outcome failed (the database is unreachable). Nobody
      // awaits a started worker's jobs, so an escaping rejection would crash
      // the process; the job keeps its lease and runs again once it expires.
      .catch((error: unknown) =>
        this.options.logger.error({ err: error, jobId: job.id, job: job.name }, 'could not record the job outcome'),
      )
      .finally(() => {
        this.running.delete(job.id);
        // A freed slot is filled at once rather than at the next poll.
        if (!this.stopped) void this.pollOnce().catch(() => undefined);
      });
    this.running.set(job.id, { promise, abort });
  }

  private async run(job: JobRow, leaseToken: string, abort: AbortController): Promise<void> {
    const definition = this.definitions.get(job.name);
    const logger = this.options.logger.child({ jobId: job.id, job: job.name, attempt: job.attempts });
    if (!definition) return;
    if (job.attempts > job.max_attempts) {
      // Its workers kept dying (lease expiries count as attempts): stop retrying.
      await this.options.queue.fail(job.id, leaseToken, job.last_error ?? 'lease expired on every attempt', null);
      logger.error('job moved to dead letter after its lease expired on every attempt');
      return;
    }
    const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(definition.timeoutMs)]);
    try {
      const payload: unknown = definition.payload.parse(JSON.parse(job.payload));
      await abortable(definition.handle(payload, { jobId: job.id, attempt: job.attempts, signal, logger }), signal);
      await this.options.queue.complete(job.id, leaseToken);
      logger.debug('job succeeded');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retryIn = job.attempts < job.max_attempts ? retryDelayMs(definition.retry, job.attempts) : null;
      await this.options.queue.fail(job.id, leaseToken, message, retryIn);
      if (retryIn === null) logger.error({ err: error }, 'job failed for the last time; moved to dead letter');
      else logger.warn({ err: error, retryInMs: retryIn }, 'job failed; will retry');
    }
  }

  private async enqueueRecurring(): Promise<void> {
    const now = Date.now();
    for (const recurring of this.options.recurring ?? []) {
      const period = Math.floor(now / recurring.everyMs);
      await this.options.queue.enqueue(recurring.definition, recurring.payload, {
        idempotencyKey: `every-${recurring.everyMs}-${period}`,
      });
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Settles when the handler does or when the signal fires, whichever is first. */
function abortable(work: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('job aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
