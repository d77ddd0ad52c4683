import type { Config } from '../../config.js';
import type { Logger } from '../logging/logger.js';
import { type Broadcast, LocalBroadcast } from './broadcast.js';
import { PostgresBroadcast } from './postgres-broadcast.js';
import { RedisBroadcast } from './redis-broadcast.js';

export type { Broadcast } from './broadcast.js';
export { LocalBroadcast } from './broadcast.js';

/**
 * The deployment's broadcast: Redis when REDIS_URL is set, else PostgreSQL
 * LISTEN/NOTIFY when the database is PostgreSQL, else this process alone
 * (SQLite: nodes sharing the file still meet through the database itself).
 */
/** The prefix of this deployment's channels and keys: nodes sharing a database share it, other deployments on one Redis do not. */
export function redisNamespace(config: Config): string {
  return config.database.dialect === 'postgres' ? `agentry_${config.database.schema ?? 'public'}` : 'agentry';
}

export function createBroadcast(config: Config, logger: Logger): Broadcast {
  const namespace = redisNamespace(config);
  if (config.redisUrl) return new RedisBroadcast({ url: config.redisUrl, namespace, logger });
  if (config.database.dialect === 'postgres') return new PostgresBroadcast({ url: config.database.url, namespace, logger });
  return new LocalBroadcast();
}
