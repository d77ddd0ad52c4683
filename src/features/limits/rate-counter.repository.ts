import { sql } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';

/**
 * Adds `amount` to a scope's counter for the window starting at `windowStart`
 * and returns the new count, in one atomic statement on either dialect: a
 * counter from an older window starts over.
 */
export async function addToCounter(
  db: DatabaseHandle,
  counter: { orgId: string; scope: string; windowStart: string; amount: number },
): Promise<number> {
  const result = await sql<{ count: number | string }>`
    insert into rate_counters (scope, org_id, window_start, count)
    values (${counter.scope}, ${counter.orgId}, ${counter.windowStart}, ${counter.amount})
    on conflict (scope) do update set
      count = case when rate_counters.window_start = excluded.window_start
                   then rate_counters.count + excluded.count else excluded.count end,
      window_start = excluded.window_start
    returning count`.execute(db);
  return Number(result.rows[0]?.count ?? counter.amount);
}

/** The count of a scope in the given window (0 when the stored count belongs to another window). */
export async function readCounter(db: DatabaseHandle, scope: string, windowStart: string): Promise<number> {
  const row = await db
    .selectFrom('rate_counters')
    .select('count')
    .where('scope', '=', scope)
    .where('window_start', '=', windowStart)
    .executeTakeFirst();
  return row ? Number(row.count) : 0;
}
