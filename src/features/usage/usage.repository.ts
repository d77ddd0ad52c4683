import type { Selectable } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { UsageRecordsTable } from './usage-record.table.js';

export type UsageRecordRow = Selectable<UsageRecordsTable>;

export const USAGE_COLUMNS = [
  'id',
  'org_id',
  'key_id',
  'gateway_id',
  'connection',
  'model',
  'upstream_model',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'cost',
  'latency_ms',
  'ttft_ms',
  'status',
  'error_code',
  'streamed',
  'created_at',
] as const satisfies ReadonlyArray<keyof UsageRecordRow>;

/** A batch is written in chunks of these sizes (largest first), each one statement compiled once per dialect. */
const CHUNK_SIZES = [50, 10, 1] as const;
const compiledInserts = new Map<string, string>();

/** The INSERT of `size` rows in the handle's dialect, built by Kysely once and then reused as SQL text. */
function insertSql(db: DatabaseHandle, size: number): string {
  const key = `${db.getExecutor().adapter.constructor.name}:${size}`;
  let sql = compiledInserts.get(key);
  if (sql === undefined) {
    const placeholderRow = Object.fromEntries(USAGE_COLUMNS.map((column) => [column, null])) as unknown as UsageRecordRow;
    sql = db.insertInto('usage_records').values(Array.from({ length: size }, () => placeholderRow)).compile().sql;
    compiledInserts.set(key, sql);
  }
  return sql;
}

/**
 * A row's values in USAGE_COLUMNS' order (a test holds the two alike),
 * named one by one: looking each column up by name was a megamorphic
 * property load per value, on the main thread, for every call.
 */
export function pushUsageValues(parameters: Array<string | number | null>, row: UsageRecordRow): void {
  parameters.push(
    row.id,
    row.org_id,
    row.key_id,
    row.gateway_id,
    row.connection,
    row.model,
    row.upstream_model,
    row.prompt_tokens,
    row.completion_tokens,
    row.cached_tokens,
    row.cost,
    row.latency_ms,
    row.ttft_ms,
    row.status,
    row.error_code,
    row.streamed,
    row.created_at,
  );
}

/** One multi-row INSERT: its SQL text and its parameters, row after row in column order. */
export interface UsageInsert {
  readonly sql: string;
  readonly parameters: Array<string | number | null>;
}

/**
 * The INSERTs of usage records, in as few statements as the chunk sizes
 * allow. Batches arrive every second under load; compiling a fresh multi-row
 * INSERT for each cost more than running it. Plain arrays, not Kysely's
 * CompiledQuery: that freezes its parameters, and V8 serializes a frozen
 * array to JSON (on its way to the SQLite write thread) on its slow,
 * element-by-element path.
 */
export function usageInserts(db: DatabaseHandle, rows: readonly UsageRecordRow[]): UsageInsert[] {
  const inserts: UsageInsert[] = [];
  let offset = 0;
  for (const size of CHUNK_SIZES) {
    const sql = insertSql(db, size);
    for (; rows.length - offset >= size; offset += size) {
      const parameters: Array<string | number | null> = [];
      for (let index = offset; index < offset + size; index += 1) pushUsageValues(parameters, rows[index]!);
      inserts.push({ sql, parameters });
    }
  }
  return inserts;
}

export interface UsageFilters {
  readonly from: string;
  readonly to: string;
  readonly gatewayId?: string | undefined;
  readonly keyId?: string | undefined;
  readonly model?: string | undefined;
}

export type UsageSample = Pick<
  UsageRecordRow,
  'created_at' | 'model' | 'gateway_id' | 'key_id' | 'prompt_tokens' | 'completion_tokens' | 'cached_tokens' | 'cost' | 'latency_ms' | 'ttft_ms' | 'status'
>;

export async function listUsageSamples(db: DatabaseHandle, orgId: string, filters: UsageFilters): Promise<UsageSample[]> {
  let query = db
    .selectFrom('usage_records')
    .select(['created_at', 'model', 'gateway_id', 'key_id', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'cost', 'latency_ms', 'ttft_ms', 'status'])
    .where('org_id', '=', orgId)
    .where('created_at', '>=', filters.from)
    .where('created_at', '<', filters.to);
  if (filters.gatewayId) query = query.where('gateway_id', '=', filters.gatewayId);
  if (filters.keyId) query = query.where('key_id', '=', filters.keyId);
  if (filters.model) query = query.where('model', '=', filters.model);
  return query.orderBy('created_at').execute();
}
