import { type Selectable, sql } from 'kysely';
import type { Database } from '../db/database.js';
import { nowIso } from '../db/dialect.js';
import { newId } from '../ids.js';
import type { JobDefinition } from './job-definition.js';
import type { JobsTable } from './job.table.js';

export type JobRow = Selectable<JobsTable>;

export interface EnqueueOptions {
  readonly orgId?: string | null;
  /** A second enqueue with the same key (per job name) returns the first job instead. */
  readonly idempotencyKey?: string;
  readonly runAt?: Date;
}

/**
 * The durable job table. Claiming takes a lease; a job whose lease expires
 * (its worker died) is claimable again. Each claim gets a fresh lease token,
 * so a worker that lost its lease cannot complete or fail the job.
 */
export class JobQueue {
  constructor(private readonly database: Database) {}

  async enqueue<Payload>(definition: JobDefinition<Payload>, payload: Payload, options: EnqueueOptions = {}): Promise<JobRow> {
    const validated = definition.payload.parse(payload);
    const now = nowIso();
    const row: JobRow = {
      id: newId(),
      org_id: options.orgId ?? null,
      name: definition.name,
      payload: JSON.stringify(validated),
      status: 'queued',
      attempts: 0,
      max_attempts: definition.retry.maxAttempts,
      run_at: (options.runAt ?? new Date()).toISOString(),
      lease_expires_at: null,
      locked_by: null,
      last_error: null,
      idempotency_key: options.idempotencyKey ?? null,
      created_at: now,
      updated_at: now,
      finished_at: null,
    };
    const db = this.database.handle;
    if (!options.idempotencyKey) {
      await db.insertInto('jobs').values(row).execute();
      return row;
    }
    await db
      .insertInto('jobs')
      .values(row)
      .onConflict((conflict) => conflict.columns(['name', 'idempotency_key']).doNothing())
      .execute();
    return db
      .selectFrom('jobs')
      .selectAll()
      .where('name', '=', definition.name)
      .where('idempotency_key', '=', options.idempotencyKey)
      .executeTakeFirstOrThrow();
  }

  /** Claims up to `limit` due jobs among `names` for `leaseMs`, marking each with `leaseToken`. */
  async claim(names: readonly string[], limit: number, leaseMs: (name: string) => number, leaseToken: string): Promise<JobRow[]> {
    if (names.length === 0 || limit <= 0) return [];
    const now = nowIso();
    const db = this.database.handle;
    const due = db
      .selectFrom('jobs')
      .select('id')
      .where('name', 'in', names)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', now)]),
          eb.and([eb('status', '=', 'running'), eb('lease_expires_at', '<', now)]),
        ]),
      )
      .orderBy('run_at')
      .limit(limit);
    // One lease for the batch, the longest timeout among the names: a lost job
    // is retried a little later than it could be, never while it still runs.
    const leaseUntil = new Date(Date.now() + Math.max(...names.map(leaseMs))).toISOString();
    const claimed = {
      status: 'running' as const,
      attempts: sql<number>`attempts + 1`,
      lease_expires_at: leaseUntil,
      locked_by: leaseToken,
      updated_at: now,
    };
    if (this.database.dialect === 'postgres') {
      // SKIP LOCKED lets several nodes claim concurrently without waiting on each other.
      return db
        .with('due', () => due.forUpdate().skipLocked())
        .updateTable('jobs')
        .set(claimed)
        .from('due')
        .whereRef('jobs.id', '=', 'due.id')
        .returningAll('jobs')
        .execute();
    }
    // SQLite has one writer at a time, so a single UPDATE ... RETURNING is atomic.
    return db.updateTable('jobs').set(claimed).where('id', 'in', due).returningAll().execute();
  }

  async complete(id: string, leaseToken: string): Promise<boolean> {
    return this.finish(id, leaseToken, { status: 'succeeded', last_error: null });
  }

  /** Requeues the job after `retryInMs`, or moves it to the dead-letter state when `retryInMs` is null. */
  async fail(id: string, leaseToken: string, error: string, retryInMs: number | null): Promise<boolean> {
    if (retryInMs === null) return this.finish(id, leaseToken, { status: 'dead', last_error: error });
    const result = await this.database.handle
      .updateTable('jobs')
      .set({
        status: 'queued',
        last_error: error,
        run_at: new Date(Date.now() + retryInMs).toISOString(),
        lease_expires_at: null,
        locked_by: null,
        updated_at: nowIso(),
      })
      .where('id', '=', id)
      .where('locked_by', '=', leaseToken)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async find(id: string): Promise<JobRow | undefined> {
    return this.database.handle.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  private async finish(
    id: string,
    leaseToken: string,
    outcome: { status: 'succeeded' | 'dead'; last_error: string | null },
  ): Promise<boolean> {
    const now = nowIso();
    const result = await this.database.handle
      .updateTable('jobs')
      .set({ ...outcome, lease_expires_at: null, finished_at: now, updated_at: now })
      .where('id', '=', id)
      .where('locked_by', '=', leaseToken)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
