import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Config } from '../src/config.js';
import { type Database, openDatabase } from '../src/platform/db/database.js';
import {
  type JobContext,
  JobQueue,
  type JobRow,
  JobWorker,
  defineJob,
} from '../src/platform/jobs/index.js';
import { type Logger, createLogger } from '../src/platform/logging/logger.js';
import { dialects } from './support/dialects.js';
import { type MigratedTestDatabase, openMigratedTestDatabase } from './support/test-server.js';

/** The worker's catalog type: definitions of any payload type. */
type WorkerDefinitions = ConstructorParameters<typeof JobWorker>[0]['definitions'];

const fastRetry = { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100 } as const;
const emptyPayload = z.object({});

/** Every test uses its own job names, so no test claims another's jobs. */
function uniqueName(label: string): string {
  return `test.${label}.${randomUUID().slice(0, 8)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the value once `check` returns one; bounded in polls and in time. */
async function waitFor<T>(description: string, check: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let poll = 0; poll < 1_000 && Date.now() < deadline; poll += 1) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${description}`);
}

/** Polls until the worker claims something (a retry becomes due), then waits for it to finish. */
async function runNextDue(worker: JobWorker): Promise<void> {
  await waitFor('a due job', async () => ((await worker.pollOnce()) > 0 ? true : undefined));
  await worker.idle();
}

/** A signal handler that never settles on its own: only the worker's abort can end it. */
function hangUntilAborted(signal: AbortSignal, onAbort: (reason: unknown) => void): Promise<void> {
  return new Promise(() => {
    signal.addEventListener('abort', () => onAbort(signal.reason), { once: true });
  });
}

describe.each(dialects)('job queue (%s)', (dialect) => {
  let migrated: MigratedTestDatabase;
  let config: Config;
  let database: Database;
  let queue: JobQueue;
  const logger = createLogger('silent');

  beforeAll(async () => {
    migrated = await openMigratedTestDatabase(dialect);
    ({ config, database } = migrated);
    queue = new JobQueue(database);
  });

  afterAll(() => migrated?.close());

  function workerFor(
    definitions: WorkerDefinitions,
    options: { concurrency?: number; queue?: JobQueue; logger?: Logger } = {},
  ): JobWorker {
    return new JobWorker({
      queue: options.queue ?? queue,
      definitions,
      concurrency: options.concurrency ?? 4,
      pollIntervalMs: 10,
      logger: options.logger ?? logger,
    });
  }

  async function found(id: string): Promise<JobRow> {
    const row = await queue.find(id);
    if (!row) throw new Error(`job ${id} not found`);
    return row;
  }

  async function rowsNamed(name: string): Promise<JobRow[]> {
    return database.handle.selectFrom('jobs').selectAll().where('name', '=', name).execute();
  }

  it('runs the handler with the validated payload and marks the job succeeded', async () => {
    const received: Array<{ payload: unknown; context: Pick<JobContext, 'jobId' | 'attempt'> }> = [];
    const echoPayload = z.object({ to: z.email(), count: z.number().int(), note: z.string().default('none') });
    const definition = defineJob({
      name: uniqueName('echo'),
      payload: echoPayload,
      timeoutMs: 2_000,
      retry: fastRetry,
      async handle(payload, context) {
        received.push({ payload, context: { jobId: context.jobId, attempt: context.attempt } });
      },
    });
    // Unknown properties are stripped and defaults applied before the payload is stored
    // (the cast stands for an untyped caller).
    const input = { to: 'ops@example.com', count: 2, extra: 'dropped' } as unknown as z.infer<typeof echoPayload>;
    const enqueued = await queue.enqueue(definition, input);
    expect(enqueued.status).toBe('queued');
    expect(JSON.parse((await found(enqueued.id)).payload)).toEqual({ to: 'ops@example.com', count: 2, note: 'none' });

    const worker = workerFor([definition]);
    expect(await worker.pollOnce()).toBe(1);
    await worker.idle();

    expect(received).toEqual([
      { payload: { to: 'ops@example.com', count: 2, note: 'none' }, context: { jobId: enqueued.id, attempt: 1 } },
    ]);
    const row = await found(enqueued.id);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 1, last_error: null, lease_expires_at: null });
    expect(row.finished_at).not.toBeNull();
    expect(Date.parse(row.finished_at ?? '')).toBeGreaterThanOrEqual(Date.parse(row.created_at));
    // A finished job is not run again.
    expect(await worker.pollOnce()).toBe(0);
    expect(received).toHaveLength(1);
  });

  it('rejects an invalid payload at enqueue without writing a job', async () => {
    const definition = defineJob({
      name: uniqueName('strict'),
      payload: z.object({ count: z.number().int().positive() }),
      timeoutMs: 2_000,
      retry: fastRetry,
      async handle() {},
    });
    await expect(queue.enqueue(definition, { count: -1 })).rejects.toThrow();
    await expect(queue.enqueue(definition, { count: 'three' } as unknown as { count: number })).rejects.toThrow();
    expect(await rowsNamed(definition.name)).toHaveLength(0);
  });

  it('does not run a job before its runAt', async () => {
    let runs = 0;
    const definition = defineJob({
      name: uniqueName('later'),
      payload: emptyPayload,
      timeoutMs: 2_000,
      retry: fastRetry,
      async handle() {
        runs += 1;
      },
    });
    const job = await queue.enqueue(definition, {}, { runAt: new Date(Date.now() + 60 * 60_000) });
    const worker = workerFor([definition]);
    expect(await worker.pollOnce()).toBe(0);
    await worker.idle();
    expect(runs).toBe(0);
    expect(await found(job.id)).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('retries a failing handler with backoff until it succeeds', async () => {
    const attempts: number[] = [];
    const definition = defineJob({
      name: uniqueName('flaky'),
      payload: emptyPayload,
      timeoutMs: 2_000,
      retry: fastRetry,
      async handle(_payload, { attempt }) {
        attempts.push(attempt);
        if (attempt < 3) throw new Error(`failure ${attempt}`);
      },
    });
    const job = await queue.enqueue(definition, {});
    const worker = workerFor([definition]);

    for (const failed of [1, 2]) {
      const before = Date.now();
      if (failed === 1) {
        expect(await worker.pollOnce()).toBe(1);
        await worker.idle();
      } else {
        await runNextDue(worker);
      }
      const row = await found(job.id);
      expect(row).toMatchObject({
        status: 'queued',
        attempts: failed,
        last_error: `failure ${failed}`,
        lease_expires_at: null,
        locked_by: null,
        finished_at: null,
      });
      // The retry waits out the backoff: at least base × 2^(attempt-1) minus 20 % jitter.
      const minimumDelay = Math.min(fastRetry.maxDelayMs, fastRetry.baseDelayMs * 2 ** (failed - 1)) * 0.8;
      expect(Date.parse(row.run_at)).toBeGreaterThanOrEqual(before + Math.floor(minimumDelay));
    }

    await runNextDue(worker);
    expect(attempts).toEqual([1, 2, 3]);
    const row = await found(job.id);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 3, last_error: null });
    expect(row.finished_at).not.toBeNull();
  });

  it('moves a job that always fails to the dead-letter state after maxAttempts', async () => {
    let runs = 0;
    const definition = defineJob({
      name: uniqueName('doomed'),
      payload: emptyPayload,
      timeoutMs: 2_000,
      retry: fastRetry,
      async handle() {
        runs += 1;
        throw new Error(`boom ${runs}`);
      },
    });
    const job = await queue.enqueue(definition, {});
    const worker = workerFor([definition]);
    for (let attempt = 1; attempt <= fastRetry.maxAttempts; attempt += 1) await runNextDue(worker);

    expect(runs).toBe(fastRetry.maxAttempts);
    const row = await found(job.id);
    expect(row).toMatchObject({ status: 'dead', attempts: 3, max_attempts: 3, last_error: 'boom 3' });
    expect(row.finished_at).not.toBeNull();
    // Dead letters stay put: nothing claims them again.
    await sleep(fastRetry.maxDelayMs * 1.5);
    expect(await worker.pollOnce()).toBe(0);
    expect(runs).toBe(3);
  });

  it('returns the existing job for a repeated idempotency key', async () => {
    const definition = defineJob({
      name: uniqueName('once'),
      payload: z.object({ value: z.number() }),
      timeoutMs: 2_000,
      retry: fastRetry,
      async handle() {},
    });
    const first = await queue.enqueue(definition, { value: 1 }, { idempotencyKey: 'invoice-42' });
    const second = await queue.enqueue(definition, { value: 2 }, { idempotencyKey: 'invoice-42' });
    expect(second.id).toBe(first.id);
    expect(JSON.parse(second.payload)).toEqual({ value: 1 });

    // Concurrent enqueues race on the unique index; both still get the one job.
    const racing = await Promise.all(
      [3, 4, 5].map((value) => queue.enqueue(definition, { value }, { idempotencyKey: 'invoice-43' })),
    );
    expect(new Set(racing.map((row) => row.id)).size).toBe(1);

    const other = await queue.enqueue(definition, { value: 1 }, { idempotencyKey: 'invoice-44' });
    expect(other.id).not.toBe(first.id);
    const rows = await rowsNamed(definition.name);
    expect(rows.map((row) => row.idempotency_key).sort()).toEqual(['invoice-42', 'invoice-43', 'invoice-44']);

    // The key is scoped to the job name.
    const sibling = defineJob({ ...definition, name: uniqueName('once-sibling') });
    const siblingJob = await queue.enqueue(sibling, { value: 1 }, { idempotencyKey: 'invoice-42' });
    expect(siblingJob.id).not.toBe(first.id);
    expect(await rowsNamed(sibling.name)).toHaveLength(1);
  });

  it('aborts a handler that exceeds its timeout, then retries and finally gives up', async () => {
    const abortReasons: unknown[] = [];
    const definition = defineJob({
      name: uniqueName('slow'),
      payload: emptyPayload,
      timeoutMs: 100,
      retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 100 },
      handle: (_payload, { signal }) => hangUntilAborted(signal, (reason) => abortReasons.push(reason)),
    });
    const job = await queue.enqueue(definition, {});
    const worker = workerFor([definition]);

    expect(await worker.pollOnce()).toBe(1);
    await worker.idle();
    expect(abortReasons).toHaveLength(1);
    expect(abortReasons[0]).toMatchObject({ name: 'TimeoutError' });
    const retrying = await found(job.id);
    expect(retrying).toMatchObject({ status: 'queued', attempts: 1 });
    expect(retrying.last_error).toMatch(/timeout/i);

    await runNextDue(worker);
    expect(abortReasons).toHaveLength(2);
    const dead = await found(job.id);
    expect(dead).toMatchObject({ status: 'dead', attempts: 2 });
    expect(dead.last_error).toMatch(/timeout/i);
  });

  it('refuses to let a worker that lost its lease complete or fail the job', async () => {
    const definition = defineJob({
      name: uniqueName('contested'),
      payload: emptyPayload,
      timeoutMs: 2_000,
      retry: fastRetry,
      async handle() {},
    });
    const job = await queue.enqueue(definition, {});
    const [stale] = await queue.claim([definition.name], 1, () => 50, 'stale-worker');
    expect(stale?.id).toBe(job.id);
    expect(stale?.locked_by).toBe('stale-worker');

    // Once the lease has expired another worker takes the job over.
    const taken = await waitFor('the lease to expire', async () => {
      const [row] = await queue.claim([definition.name], 1, () => 60_000, 'new-worker');
      return row;
    });
    expect(taken).toMatchObject({ id: job.id, attempts: 2, locked_by: 'new-worker' });

    expect(await queue.complete(job.id, 'stale-worker')).toBe(false);
    expect(await queue.fail(job.id, 'stale-worker', 'late failure', 10)).toBe(false);
    expect(await queue.fail(job.id, 'stale-worker', 'late failure', null)).toBe(false);
    expect(await found(job.id)).toMatchObject({ status: 'running', locked_by: 'new-worker', last_error: null });

    expect(await queue.complete(job.id, 'new-worker')).toBe(true);
    expect(await found(job.id)).toMatchObject({ status: 'succeeded', attempts: 2 });
    // A finished job cannot be finished again, even with the right token.
    expect(await queue.fail(job.id, 'new-worker', 'too late', null)).toBe(false);
  });

  it('runs at most `concurrency` jobs at once', async () => {
    let active = 0;
    let peak = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const definition = defineJob({
      name: uniqueName('gated'),
      payload: emptyPayload,
      timeoutMs: 5_000,
      retry: fastRetry,
      async handle() {
        active += 1;
        peak = Math.max(peak, active);
        await gate;
        active -= 1;
      },
    });
    const jobs = await Promise.all(Array.from({ length: 5 }, () => queue.enqueue(definition, {})));
    const worker = workerFor([definition], { concurrency: 2 });
    try {
      // Overlapping polls (the timer's and a freed slot's) must not both fill the same free slots.
      const claimed = await Promise.all([worker.pollOnce(), worker.pollOnce(), worker.pollOnce()]);
      expect(claimed.reduce((sum, count) => sum + count, 0)).toBe(2);
      expect(await worker.pollOnce()).toBe(0);
      expect(active).toBe(2);
    } finally {
      release();
      await worker.idle();
    }
    for (let round = 0; round < 5 && (await worker.pollOnce()) > 0; round += 1) await worker.idle();
    expect(peak).toBe(2);
    const rows = await Promise.all(jobs.map((job) => found(job.id)));
    expect(rows.map((row) => row.status)).toEqual(Array(5).fill('succeeded'));
  });

  it('on shutdown lets running jobs finish within the drain time and aborts them past it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const finishing = defineJob({
      name: uniqueName('draining'),
      payload: emptyPayload,
      timeoutMs: 5_000,
      retry: fastRetry,
      handle: () => gate,
    });
    const drained = await queue.enqueue(finishing, {});
    const drainingWorker = workerFor([finishing]);
    expect(await drainingWorker.pollOnce()).toBe(1);
    const stopping = drainingWorker.stop(5_000);
    release();
    await stopping;
    expect(await found(drained.id)).toMatchObject({ status: 'succeeded' });

    const abortReasons: unknown[] = [];
    const stuck = defineJob({
      name: uniqueName('stuck'),
      payload: emptyPayload,
      timeoutMs: 5_000,
      retry: fastRetry,
      handle: (_payload, { signal }) => hangUntilAborted(signal, (reason) => abortReasons.push(reason)),
    });
    const aborted = await queue.enqueue(stuck, {});
    const stuckWorker = workerFor([stuck]);
    expect(await stuckWorker.pollOnce()).toBe(1);
    await stuckWorker.stop(50);
    expect(abortReasons).toHaveLength(1);
    // The interrupted run counts as an attempt and the job goes back to the queue for another node.
    expect(await found(aborted.id)).toMatchObject({ status: 'queued', attempts: 1, last_error: 'worker shutting down' });
  });

  it('survives a failure to record a job outcome, leaving the job to its lease', async () => {
    // The worker's own connection goes away mid-job, so neither complete() nor fail() can be written.
    const doomedConnection = await openDatabase(config.database);
    const logLines: string[] = [];
    const capturingLogger = createLogger('error', { write: (line: string) => void logLines.push(line) });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const definition = defineJob({
        name: uniqueName('orphaned'),
        payload: emptyPayload,
        timeoutMs: 2_000,
        retry: fastRetry,
        async handle() {
          await doomedConnection.close();
        },
      });
      const job = await queue.enqueue(definition, {});
      const worker = workerFor([definition], { queue: new JobQueue(doomedConnection), logger: capturingLogger });
      // No idle(): a started worker has nobody awaiting its jobs, so a rejection here would be unhandled.
      expect(await worker.pollOnce()).toBe(1);
      const loggedOutcome = () => logLines.some((line) => line.includes(job.id));
      await waitFor('the run to end', async () => (loggedOutcome() || unhandled.length > 0 ? true : undefined));
      await sleep(20);
      expect(unhandled).toEqual([]);
      expect(loggedOutcome()).toBe(true);
      // The job keeps its lease; another worker picks it up once the lease expires.
      expect(await found(job.id)).toMatchObject({ status: 'running', attempts: 1 });
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('two nodes claiming concurrently never claim the same job twice', async () => {
    const definition = defineJob({
      name: uniqueName('contended'),
      payload: z.object({ index: z.number() }),
      timeoutMs: 2_000,
      retry: fastRetry,
      async handle() {},
    });
    const enqueued = await Promise.all(Array.from({ length: 20 }, (_, index) => queue.enqueue(definition, { index })));
    const otherNode = await openDatabase(config.database);
    try {
      const nodes = [queue, new JobQueue(otherNode)];
      const claimed: string[] = [];
      // Several claimers per node, each taking small batches, so the claims really overlap.
      await Promise.all(
        nodes.flatMap((node, nodeIndex) =>
          Array.from({ length: 4 }, async (_, claimerIndex) => {
            for (let round = 0; round < 100 && claimed.length < 20; round += 1) {
              const token = `node-${nodeIndex}:${claimerIndex}:${round}`;
              const rows = await node.claim([definition.name], 2, () => 60_000, token);
              claimed.push(...rows.map((row) => row.id));
            }
          }),
        ),
      );
      expect(claimed).toHaveLength(20);
      expect(new Set(claimed).size).toBe(20);
      expect([...claimed].sort()).toEqual(enqueued.map((job) => job.id).sort());
      const rows = await rowsNamed(definition.name);
      expect(rows.every((row) => row.status === 'running' && row.attempts === 1)).toBe(true);
    } finally {
      await otherNode.close();
    }
  });
});
