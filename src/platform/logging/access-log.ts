import pino, { type Logger } from 'pino';
import { JsonTextCache } from '../json-text-cache.js';

export interface AccessLogEntry {
  readonly method: string;
  /** Already passed through redactUrl. */
  readonly url: string;
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
}

export const ACCESS_LOG_MESSAGE = 'request completed';

/** What writeAccessLine needs of a logger: a pino logger, or a RequestLogger standing in for one. */
export type AccessLogger = Pick<Logger, 'isLevelEnabled' | 'levels'>;

/** pino's state that a line is made of; pino exports these symbols for integrations. */
interface PinoInternals {
  readonly [pino.symbols.streamSym]: pino.DestinationStream;
  /** The logger's bindings, serialized: `,"pid":…,"hostname":…,"reqId":…`. */
  readonly [pino.symbols.chindingsSym]: string;
}

/** Methods and route templates (and URLs that are their route, without parameters) are few. */
const fewValues = new JsonTextCache(1_000);

/**
 * Writes the line every request logs, byte for byte as `logger.info(entry,
 * 'request completed')` would (a test holds the two equal), but without
 * pino's generic path — serializer lookups, the secret-redacting formatter,
 * string building key by key — which cost several times more than the line
 * itself on a path that runs for every request. The entry's fields are fixed
 * and hold no secret (the URL arrives redacted).
 */
export function writeAccessLine(logger: AccessLogger, entry: AccessLogEntry): void {
  if (!logger.isLevelEnabled('info')) return;
  const internals = logger as unknown as PinoInternals;
  const durationMs = Number.isFinite(entry.durationMs) ? entry.durationMs : null;
  internals[pino.symbols.streamSym].write(
    `{"level":${logger.levels.values.info},"time":${Date.now()}${internals[pino.symbols.chindingsSym]},"method":${fewValues.of(entry.method)},"url":${entry.url === entry.route ? fewValues.of(entry.url) : JSON.stringify(entry.url)},"route":${fewValues.of(entry.route)},"status":${entry.status},"durationMs":${durationMs},"msg":"${ACCESS_LOG_MESSAGE}"}\n`,
  );
}
