import type { DatabaseHandle } from '../../platform/db/database.js';
import { ValidationError } from '../../platform/errors.js';
import { type UsageSample, listUsageSamples } from './usage.repository.js';
import type { UsageFigures, UsageQuery, UsageReport } from './usage.schemas.js';

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 366;

function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? null;
}

function figuresOf(samples: readonly UsageSample[]): UsageFigures {
  const latencies = samples.map((sample) => sample.latency_ms).sort((a, b) => a - b);
  const ttfts = samples.flatMap((sample) => (sample.ttft_ms === null ? [] : [sample.ttft_ms])).sort((a, b) => a - b);
  const sum = (pick: (sample: UsageSample) => number) => samples.reduce((total, sample) => total + pick(sample), 0);
  return {
    requests: samples.length,
    errors: samples.filter((sample) => sample.status === 'error').length,
    promptTokens: sum((sample) => sample.prompt_tokens),
    completionTokens: sum((sample) => sample.completion_tokens),
    cachedTokens: sum((sample) => sample.cached_tokens),
    cost: Number(sum((sample) => sample.cost).toPrecision(12)),
    latencyMs: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99) },
    timeToFirstTokenMs: { p50: percentile(ttfts, 0.5), p95: percentile(ttfts, 0.95) },
  };
}

const GROUP_KEYS: Record<NonNullable<UsageQuery['groupBy']>, (sample: UsageSample) => string | null> = {
  day: (sample) => sample.created_at.slice(0, 10),
  model: (sample) => sample.model,
  gateway: (sample) => sample.gateway_id,
  key: (sample) => sample.key_id,
};

export class UsageService {
  constructor(private readonly db: DatabaseHandle) {}

  async report(orgId: string, query: UsageQuery): Promise<UsageReport> {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) throw ValidationError.field('query.from', 'before_to', 'must be before `to`');
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw ValidationError.field('query.from', 'range', `the period may span at most ${MAX_RANGE_DAYS} days`);
    }
    const samples = await listUsageSamples(this.db, orgId, {
      from: from.toISOString(),
      to: to.toISOString(),
      gatewayId: query.gatewayId,
      keyId: query.keyId,
      model: query.model,
    });
    const groups = new Map<string | null, UsageSample[]>();
    if (query.groupBy) {
      const keyOf = GROUP_KEYS[query.groupBy];
      for (const sample of samples) {
        const key = keyOf(sample);
        const members = groups.get(key);
        if (members) members.push(sample);
        else groups.set(key, [sample]);
      }
    }
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      groupBy: query.groupBy ?? null,
      totals: figuresOf(samples),
      groups: [...groups].map(([key, members]) => ({ key, ...figuresOf(members) })),
    };
  }
}
