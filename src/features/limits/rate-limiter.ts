import { RateLimitError } from '../../platform/errors.js';
import type { RateCounterStore } from './rate-counter-store.js';

/** Something limits apply to: an API key or a gateway, with its configured limits (null: none). */
export interface LimitSubject {
  readonly orgId: string;
  readonly kind: 'API key' | 'AI gateway';
  readonly id: string;
  readonly name: string;
  readonly requestsPerMinute: number | null;
  readonly tokensPerDay: number | null;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function windowStart(now: number, size: number): number {
  return Math.floor(now / size) * size;
}

function secondsUntil(end: number, now: number): number {
  return Math.max(1, Math.ceil((end - now) / 1000));
}

/**
 * Enforces requests-per-minute and tokens-per-day limits with counters every
 * node shares (the database, or Redis when REDIS_URL is set). Subjects without
 * limits cost nothing.
 */
export class RateLimiter {
  constructor(
    private readonly counters: RateCounterStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Counts one request against each subject's minute and refuses it (429) if a limit is reached. */
  async admit(subjects: readonly LimitSubject[]): Promise<void> {
    const now = this.clock();
    for (const subject of subjects) {
      if (subject.tokensPerDay !== null) {
        const day = windowStart(now, DAY_MS);
        const used = await this.counters.read({ orgId: subject.orgId, scope: scopeOf(subject, 'tokens-per-day'), windowStart: day, windowMs: DAY_MS });
        if (used >= subject.tokensPerDay) {
          throw new RateLimitError(
            `The tokensPerDay limit of ${subject.kind} '${subject.name}' (${subject.tokensPerDay} tokens per UTC day) is reached.`,
            secondsUntil(day + DAY_MS, now),
            { limit: 'tokensPerDay', subject: subject.kind, id: subject.id },
          );
        }
      }
      if (subject.requestsPerMinute !== null) {
        const minute = windowStart(now, MINUTE_MS);
        const count = await this.counters.add({ orgId: subject.orgId, scope: scopeOf(subject, 'requests-per-minute'), windowStart: minute, windowMs: MINUTE_MS }, 1);
        if (count > subject.requestsPerMinute) {
          throw new RateLimitError(
            `The requestsPerMinute limit of ${subject.kind} '${subject.name}' (${subject.requestsPerMinute} per minute) is reached.`,
            secondsUntil(minute + MINUTE_MS, now),
            { limit: 'requestsPerMinute', subject: subject.kind, id: subject.id },
          );
        }
      }
    }
  }

  /** Adds a call's tokens to the daily counters of the subjects that have a token limit. */
  async addTokens(subjects: readonly LimitSubject[], tokens: number): Promise<void> {
    const day = windowStart(this.clock(), DAY_MS);
    for (const subject of subjects) {
      if (subject.tokensPerDay === null || tokens <= 0) continue;
      await this.counters.add({ orgId: subject.orgId, scope: scopeOf(subject, 'tokens-per-day'), windowStart: day, windowMs: DAY_MS }, tokens);
    }
  }
}

function scopeOf(subject: LimitSubject, limit: 'requests-per-minute' | 'tokens-per-day'): string {
  return `${subject.kind === 'API key' ? 'key' : 'gateway'}:${subject.id}:${limit}`;
}
