import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { type Broadcast, createBroadcast } from '../src/platform/events/index.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { postgresUrl } from './support/dialects.js';

const redisUrl = process.env.TEST_REDIS_URL || undefined;
const logger = createLogger('silent');

/** The environments of two nodes of one deployment, per transport that can reach across processes. */
const transports: Array<[string, (namespace: string) => Record<string, string>]> = [];
const databaseUrl = postgresUrl;
if (databaseUrl) transports.push(['PostgreSQL LISTEN/NOTIFY', (schema) => ({ DATABASE_URL: databaseUrl, AGENTRY_DATABASE_SCHEMA: schema })]);
if (redisUrl) transports.push(['Redis pub/sub', (schema) => ({ DATABASE_URL: 'postgres://unused@127.0.0.1:1/x', AGENTRY_DATABASE_SCHEMA: schema, REDIS_URL: redisUrl })]);

function nextMessage(broadcast: Broadcast, topic: string): Promise<string> {
  return new Promise((resolve) => {
    void broadcast.subscribe(topic, resolve);
  });
}

describe('broadcast within one process', () => {
  it('hands a message to every subscriber of its topic only', async () => {
    const broadcast = createBroadcast(loadConfig({ LOG_LEVEL: 'silent' }), logger);
    const heard: string[] = [];
    const stop = await broadcast.subscribe('cancel', (message) => heard.push(`a:${message}`));
    await broadcast.subscribe('cancel', (message) => heard.push(`b:${message}`));
    await broadcast.subscribe('other', (message) => heard.push(`other:${message}`));
    await broadcast.publish('cancel', 'turn-1');
    stop();
    await broadcast.publish('cancel', 'turn-2');
    expect(heard).toEqual(['a:turn-1', 'b:turn-1', 'b:turn-2']);
    await broadcast.close();
  });
});

describe.each(transports)('broadcast across nodes through %s', (_name, environment) => {
  const open: Broadcast[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((broadcast) => broadcast.close()));
  });

  function node(namespace: string): Broadcast {
    const broadcast = createBroadcast(loadConfig({ LOG_LEVEL: 'silent', ...environment(namespace) }), logger);
    open.push(broadcast);
    return broadcast;
  }

  it('delivers what one node publishes to the other, and nothing to another deployment', async () => {
    const namespace = `t_${randomBytes(4).toString('hex')}`;
    const [sender, receiver, stranger] = [node(namespace), node(namespace), node(`${namespace}x`)];
    const strangerHeard: string[] = [];
    await stranger.subscribe('turn_cancel', (message) => strangerHeard.push(message));
    const received = nextMessage(receiver, 'turn_cancel');
    // Subscribing is asynchronous; a second subscription on the same node proves the first is active.
    await receiver.subscribe('turn_cancel', () => undefined);
    await sender.publish('turn_cancel', JSON.stringify({ turnId: 't-1' }));
    expect(JSON.parse(await received)).toEqual({ turnId: 't-1' });
    // The stranger would have heard it by now if namespaces leaked: a message it does hear arrives after.
    const own = nextMessage(stranger, 'turn_cancel');
    await stranger.publish('turn_cancel', 'own');
    expect(await own).toBe('own');
    expect(strangerHeard).toEqual(['own']);
  });
});
