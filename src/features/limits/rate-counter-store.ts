import type { createClient } from 'redis';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import { addToCounter, readCounter } from './rate-counter.repository.js';

/** A counter of one scope (a key's or a gateway's limit) within one window. */
export interface CounterWindow {
  readonly orgId: string;
  readonly scope: string;
  /** Epoch milliseconds. */
  readonly windowStart: number;
  readonly windowMs: number;
}

/** Where rate counters live; every node must see the same counts. */
export interface RateCounterStore {
  /** Adds `amount` and returns the window's new count. */
  add(window: CounterWindow, amount: number): Promise<number>;
  read(window: CounterWindow): Promise<number>;
  close(): Promise<void>;
}

/** Counters in the `rate_counters` table: one upsert per count, on either dialect. */
export class DatabaseCounterStore implements RateCounterStore {
  constructor(private readonly db: DatabaseHandle) {}

  add(window: CounterWindow, amount: number): Promise<number> {
    return addToCounter(this.db, { orgId: window.orgId, scope: window.scope, windowStart: new Date(window.windowStart).toISOString(), amount });
  }

  read(window: CounterWindow): Promise<number> {
    return readCounter(this.db, window.scope, new Date(window.windowStart).toISOString());
  }

  async close(): Promise<void> {}
}

type RedisClient = ReturnType<typeof createClient>;

/**
 * Counters in Redis (when REDIS_URL is set): an INCRBY per count, on a key per
 * window that expires a minute after the window ends, so counting costs the
 * database nothing. When Redis cannot be reached, the database counts instead
 * (logged), so a Redis outage neither lifts the limits nor fails the requests.
 */
export class RedisCounterStore implements RateCounterStore {
  private client: Promise<RedisClient> | undefined;
  private closed = false;

  constructor(
    private readonly options: { readonly url: string; readonly namespace: string; readonly fallback: RateCounterStore; readonly logger: Logger },
  ) {}

  async add(window: CounterWindow, amount: number): Promise<number> {
    try {
      const client = await this.connected();
      const key = this.key(window);
      const [count] = await client
        .multi()
        .incrBy(key, amount)
        .pExpireAt(key, window.windowStart + window.windowMs + 60_000)
        .exec();
      return Number(count);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'Redis rate counter unavailable; counting in the database');
      return this.options.fallback.add(window, amount);
    }
  }

  async read(window: CounterWindow): Promise<number> {
    try {
      const client = await this.connected();
      return Number((await client.get(this.key(window))) ?? 0);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'Redis rate counter unavailable; reading the database');
      return this.options.fallback.read(window);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    if (client) await (await client.catch(() => undefined))?.close().catch(() => undefined);
  }

  private key(window: CounterWindow): string {
    return `${this.options.namespace}:rate:${window.scope}:${window.windowStart}`;
  }

  private connected(): Promise<RedisClient> {
    if (this.closed) return Promise.reject(new Error('the rate counter store is closed'));
    this.client ??= (async () => {
      // Loaded only when REDIS_URL is set.
      const redis = await import('redis');
      // A down server fails fast instead of queueing commands until it is back.
      const client = redis.createClient({ url: this.options.url, disableOfflineQueue: true });
      client.on('error', (error: unknown) => this.options.logger.warn({ err: error }, 'Redis connection error'));
      await client.connect();
      return client;
    })();
    const pending = this.client;
    // A failed connect is not kept: the next count tries again.
    pending.catch(() => {
      if (this.client === pending) this.client = undefined;
    });
    return pending;
  }
}
