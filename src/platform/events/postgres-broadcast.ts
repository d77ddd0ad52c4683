import type pg from 'pg';
import type { Logger } from '../logging/logger.js';
import type { Broadcast } from './broadcast.js';

const RECONNECT_DELAY_MS = 1_000;

/**
 * PostgreSQL LISTEN/NOTIFY on one dedicated connection (a pooled one would
 * drop its subscriptions when returned). Channels carry a namespace, so
 * deployments sharing a database in different schemas do not hear each other.
 */
export class PostgresBroadcast implements Broadcast {
  private client: pg.Client | undefined;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  private readonly active = new Map<string, Promise<unknown>>();
  private closed = false;
  private connecting: Promise<pg.Client> | undefined;

  constructor(
    private readonly options: { readonly url: string; readonly namespace: string; readonly logger: Logger },
  ) {}

  async publish(topic: string, message: string): Promise<void> {
    const client = await this.connection();
    await client.query('select pg_notify($1, $2)', [this.channel(topic), message]);
  }

  async subscribe(topic: string, handler: (message: string) => void): Promise<() => void> {
    const handlers = this.handlers.get(topic) ?? new Set();
    handlers.add(handler);
    this.handlers.set(topic, handlers);
    // Every caller waits for the one LISTEN of the topic, so none returns before it is active.
    let active = this.active.get(topic);
    if (!active) {
      active = this.connection().then(async (client) => {
        await client.query(`listen "${this.channel(topic)}"`);
      });
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
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private channel(topic: string): string {
    return `${this.options.namespace}_${topic}`.replace(/[^a-z0-9_]/gi, '_').slice(0, 63);
  }

  private connection(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<pg.Client> {
    const { default: pgModule } = await import('pg');
    const client = new pgModule.Client({ connectionString: this.options.url });
    client.on('notification', (notification) => {
      const topic = [...this.handlers.keys()].find((candidate) => this.channel(candidate) === notification.channel);
      if (!topic) return;
      for (const handler of this.handlers.get(topic) ?? []) handler(notification.payload ?? '');
    });
    client.on('error', (error) => {
      this.options.logger.warn({ err: error }, 'lost the LISTEN connection; reconnecting');
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      if (!this.closed) setTimeout(() => void this.resubscribe(), RECONNECT_DELAY_MS).unref();
    });
    await client.connect();
    if (this.closed) {
      // Closed while connecting: this connection must not outlive the broadcast and hold the process open.
      await client.end().catch(() => undefined);
      throw new Error('the broadcast is closed');
    }
    this.client = client;
    for (const topic of this.handlers.keys()) await client.query(`listen "${this.channel(topic)}"`);
    return client;
  }

  private async resubscribe(): Promise<void> {
    if (this.closed || this.client) return;
    try {
      await this.connection();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not reconnect the LISTEN connection');
      if (!this.closed) setTimeout(() => void this.resubscribe(), RECONNECT_DELAY_MS).unref();
    }
  }
}
