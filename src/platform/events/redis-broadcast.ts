import type { createClient } from 'redis';
import type { Logger } from '../logging/logger.js';
import type { Broadcast } from './broadcast.js';

type RedisClient = ReturnType<typeof createClient>;

/** Redis pub/sub: one connection publishes, a second one (in subscriber mode) listens. */
export class RedisBroadcast implements Broadcast {
  private clients: Promise<{ publisher: RedisClient; subscriber: RedisClient }> | undefined;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  private readonly active = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(private readonly options: { readonly url: string; readonly namespace: string; readonly logger: Logger }) {}

  async publish(topic: string, message: string): Promise<void> {
    const { publisher } = await this.connected();
    await publisher.publish(this.channel(topic), message);
  }

  async subscribe(topic: string, handler: (message: string) => void): Promise<() => void> {
    const handlers = this.handlers.get(topic) ?? new Set();
    handlers.add(handler);
    this.handlers.set(topic, handlers);
    // Every caller waits for the one subscription of the topic, so none returns before it is active.
    let active = this.active.get(topic);
    if (!active) {
      active = this.connected().then(({ subscriber }) =>
        subscriber.subscribe(this.channel(topic), (message) => {
          for (const each of this.handlers.get(topic) ?? []) each(message);
        }),
      );
      // A failed attempt is forgotten, so the next subscriber tries again.
      active.catch(() => this.active.delete(topic));
      this.active.set(topic, active);
    }
    await active;
    return () => {
      handlers.delete(handler);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const clients = this.clients;
    this.clients = undefined;
    if (!clients) return;
    const { publisher, subscriber } = await clients.catch(() => ({ publisher: undefined, subscriber: undefined }));
    await Promise.all([publisher?.close().catch(() => undefined), subscriber?.close().catch(() => undefined)]);
  }

  private channel(topic: string): string {
    return `${this.options.namespace}:${topic}`;
  }

  private connected(): Promise<{ publisher: RedisClient; subscriber: RedisClient }> {
    this.clients ??= (async () => {
      // Loaded only when REDIS_URL is set.
      const redis = await import('redis');
      const publisher = redis.createClient({ url: this.options.url });
      // The client reconnects by itself; errors are logged rather than crashing the process.
      publisher.on('error', (error: unknown) => this.options.logger.warn({ err: error }, 'Redis connection error'));
      const subscriber = publisher.duplicate();
      subscriber.on('error', (error: unknown) => this.options.logger.warn({ err: error }, 'Redis subscriber connection error'));
      await Promise.all([publisher.connect(), subscriber.connect()]);
      if (this.closed) {
        await Promise.all([publisher.close().catch(() => undefined), subscriber.close().catch(() => undefined)]);
        throw new Error('the broadcast is closed');
      }
      return { publisher, subscriber };
    })();
    return this.clients;
  }
}
