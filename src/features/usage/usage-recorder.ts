import { nowIso } from '../../platform/db/dialect.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/logging/logger.js';
import type { UsageStore } from './usage-store.js';
import type { UsageRecordRow } from './usage.repository.js';

export interface UsageEvent {
  readonly orgId: string;
  readonly keyId: string | null;
  readonly gatewayId: string | null;
  readonly connection: string;
  readonly model: string;
  readonly upstreamModel: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
  readonly cost: number;
  readonly latencyMs: number;
  readonly ttftMs: number | null;
  readonly status: UsageRecordRow['status'];
  readonly errorCode: string | null;
  readonly streamed: boolean;
}

export interface UsageRecorderOptions {
  /** Writes each batch, with the organizations' spending deducted, in one transaction. */
  readonly store: UsageStore;
  readonly logger: Logger;
  readonly flushIntervalMs?: number;
  readonly maxBatch?: number;
}

/**
 * Records per batch, at most. A batch is one transaction, and on SQLite one
 * message to the write thread: at 1,000 records its copy outlived the thread's
 * young generation and cost major collections (about 30k instructions per call
 * on V8's helper threads, under callgrind); at 100 it dies young.
 */
const DEFAULT_MAX_BATCH = 100;

/**
 * Collects usage off the response path and writes it in batches: one
 * transaction inserts the records and deducts each organization's cost. A
 * failed batch is kept and retried with the next one. A crash loses at most
 * one interval of records; shutdown flushes.
 */
export class UsageRecorder {
  private pending: UsageRecordRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: UsageRecorderOptions) {}

  record(event: UsageEvent): void {
    this.pending.push({
      id: newId(),
      org_id: event.orgId,
      key_id: event.keyId,
      gateway_id: event.gatewayId,
      connection: event.connection,
      model: event.model,
      upstream_model: event.upstreamModel,
      prompt_tokens: event.promptTokens,
      completion_tokens: event.completionTokens,
      cached_tokens: event.cachedTokens,
      cost: event.cost,
      latency_ms: Math.round(event.latencyMs),
      ttft_ms: event.ttftMs === null ? null : Math.round(event.ttftMs),
      status: event.status,
      error_code: event.errorCode,
      streamed: event.streamed ? 1 : 0,
      created_at: nowIso(),
    });
    if (this.pending.length >= (this.options.maxBatch ?? DEFAULT_MAX_BATCH)) void this.flush();
    else this.schedule();
  }

  /** Writes everything recorded so far; resolves when it is stored (or the attempt failed and was logged). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeBatch());
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.flushIntervalMs ?? 1_000);
    this.timer.unref();
  }

  private async writeBatch(): Promise<void> {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const spending = new Map<string, number>();
    for (const row of batch) if (row.cost > 0) spending.set(row.org_id, (spending.get(row.org_id) ?? 0) + row.cost);
    try {
      await this.options.store.write(batch, spending);
    } catch (error) {
      this.pending = [...batch, ...this.pending];
      this.options.logger.error({ err: error, records: batch.length }, 'could not store usage records; will retry');
      this.schedule();
    }
  }
}
