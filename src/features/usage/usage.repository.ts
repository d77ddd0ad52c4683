import type { Selectable } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { UsageRecordsTable } from './usage-record.table.js';

export type UsageRecordRow = Selectable<UsageRecordsTable>;

export async function insertUsageRecords(db: DatabaseHandle, rows: readonly UsageRecordRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('usage_records').values([...rows]).execute();
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
