import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Environment } from '../src/config.js';
import type { Database } from '../src/platform/db/database.js';
import { JobQueue, type JobRow, JobWorker, defineJob } from '../src/platform/jobs/index.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { dialects } from './support/dialects.js';
import { type MigratedTestDatabase, type TestDatabase, openMigratedTestDatabase } from './support/test-server.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
/** Starting a child through tsx takes a while on a busy machine. */
const CHILD_TIMEOUT_MS = 20_000;
const CRASH_TEST_TIMEOUT_MS = 60_000;

interface ClaimReport {
  readonly event: 'claimed';
  readonly jobId: string;
  readonly attempts: number;
  readonly token: string;
}

/** The fixture's reports are JSON lines; anything else on stdout (a loader warning) is not one. */
function parseReport(line: string): { event?: string } | undefined {
  try {
    return JSON.parse(line) as { event?: string };
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs test/fixtures/crashing-worker.ts in a real child process against the
 * suite's database, waits until it reports its claim, and makes sure it dies
 * by SIGKILL (it kills itself when `selfKill`, else the test kills it).
 */
async function crashWorkerMidJob(environment: Environment, jobName: string, selfKill: boolean): Promise<ClaimReport> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/crashing-worker.ts'], {
    cwd: projectRoot,
    // The suite's database, and nothing inherited that could point elsewhere.
    env: {
      ...process.env,
      DATABASE_URL: '',
      AGENTRY_DATABASE_SCHEMA: '',
      ...environment,
      CRASH_JOB_NAME: jobName,
      CRASH_LEASE_MS: '300',
      CRASH_SELF_KILL: String(selfKill),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  try {
    let claim: ClaimReport | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      const message = parseReport(line);
      if (message?.event === 'claimed') {
        claim = message as ClaimReport;
        break;
      }
    }
    if (!selfKill && claim) child.kill('SIGKILL');
    const { code, signal } = await exited;
    if (!claim) throw new Error(`crashing worker exited (${signal ?? code}) without claiming a job:\n${stderr}`);
    expect(signal).toBe('SIGKILL');
    return claim;
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

describe.each(dialects)('job queue crash recovery (%s)', (dialect) => {
  let testDatabase: TestDatabase;
  let migrated: MigratedTestDatabase;
  let database: Database;
  let queue: JobQueue;
  const logger = createLogger('silent');

  beforeAll(async () => {
    migrated = await openMigratedTestDatabase(dialect);
    ({ testDatabase, database } = migrated);
    queue = new JobQueue(database);
  });

  afterAll(() => migrated?.close());

  function recordingJob(maxAttempts: number) {
    const runs: number[] = [];
    const definition = defineJob({
      name: `test.crash.${randomUUID().slice(0, 8)}`,
      payload: z.object({ order: z.string() }),
      timeoutMs: 2_000,
      retry: { maxAttempts, baseDelayMs: 20, maxDelayMs: 100 },
      async handle(_payload, { attempt }) {
        runs.push(attempt);
      },
    });
    const worker = new JobWorker({ queue, definitions: [definition], concurrency: 1, pollIntervalMs: 10, logger });
    return { definition, worker, runs };
  }

  async function found(id: string): Promise<JobRow> {
    const row = await queue.find(id);
    if (!row) throw new Error(`job ${id} not found`);
    return row;
  }

  /** Polls (bounded in count and time) until the worker claims the job once its lease has expired. */
  async function runOnceLeaseExpires(worker: JobWorker): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (let poll = 0; poll < 1_000 && Date.now() < deadline; poll += 1) {
      if ((await worker.pollOnce()) > 0) return worker.idle();
      await sleep(10);
    }
    throw new Error('the lease never expired');
  }

  it(
    'runs a job again after the worker that claimed it was killed mid-job',
    async () => {
      const { definition, worker, runs } = recordingJob(3);
      const job = await queue.enqueue(definition, { order: 'A-1' });

      const claim = await crashWorkerMidJob(testDatabase.environment, definition.name, false);
      expect(claim).toMatchObject({ jobId: job.id, attempts: 1 });
      // The dead worker left the job running, under its own short lease.
      const orphaned = await found(job.id);
      expect(orphaned).toMatchObject({ status: 'running', attempts: 1, locked_by: claim.token, finished_at: null });
      expect(orphaned.lease_expires_at).not.toBeNull();

      await runOnceLeaseExpires(worker);
      expect(runs).toEqual([2]);
      const recovered = await found(job.id);
      expect(recovered).toMatchObject({ status: 'succeeded', attempts: 2, last_error: null });
      expect(recovered.locked_by).not.toBe(claim.token);
      // The dead worker's token no longer counts for anything.
      expect(await queue.complete(job.id, claim.token)).toBe(false);
    },
    CRASH_TEST_TIMEOUT_MS,
  );

  it(
    'moves a job whose lease expires on every attempt to the dead-letter state',
    async () => {
      const { definition, worker, runs } = recordingJob(2);
      const job = await queue.enqueue(definition, { order: 'B-1' });

      const first = await crashWorkerMidJob(testDatabase.environment, definition.name, true);
      expect(first).toMatchObject({ jobId: job.id, attempts: 1 });
      // The second worker can only claim the job once the first one's lease has expired.
      const second = await crashWorkerMidJob(testDatabase.environment, definition.name, false);
      expect(second).toMatchObject({ jobId: job.id, attempts: 2 });
      expect(await found(job.id)).toMatchObject({ status: 'running', attempts: 2, locked_by: second.token });

      await runOnceLeaseExpires(worker);
      // Both allowed attempts were spent by workers that died: the handler does not run a third time.
      expect(runs).toEqual([]);
      const dead = await found(job.id);
      expect(dead).toMatchObject({ status: 'dead', attempts: 3 });
      expect(dead.last_error).toMatch(/lease expired/);
      expect(dead.finished_at).not.toBeNull();
      expect(await worker.pollOnce()).toBe(0);
    },
    CRASH_TEST_TIMEOUT_MS,
  );
});
