import type pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ACCESS_LOG_MESSAGE, type AccessLogEntry, writeAccessLine } from './access-log.js';
import { createLogger } from './logger.js';
import { RequestLogger } from './request-logger.js';

const REQ_ID = '0193a5b2-7c1d-7e2f-8a3b-4c5d6e7f8091';

function capturingLogger(level: string) {
  const lines: string[] = [];
  const sink = { write: (line: string) => void lines.push(line) } as pino.DestinationStream;
  const root = createLogger(level, sink).child({ component: 'http' });
  return { root, logger: root.child({ reqId: REQ_ID }), lines };
}

/** Lines differ only in their timestamp, which is the clock's. */
const withoutTime = (line: string) => line.replace(/"time":\d+/, '"time":0');

const ENTRIES: AccessLogEntry[] = [
  { method: 'POST', url: '/v1/chat/completions', route: '/v1/chat/completions', status: 200, durationMs: 1.2345678 },
  { method: 'GET', url: '/api/v1/x?q="quoted"\\back\nline\u2028é😀', route: 'unmatched', status: 404, durationMs: 0 },
  { method: 'DELETE', url: '/v1/models?api-key=[Redacted]', route: '/v1/models', status: 503, durationMs: 12_345.5 },
  { method: 'GET', url: '/v1/models', route: '/v1/models', status: 200, durationMs: Number.NaN },
];

describe('writeAccessLine', () => {
  it.each(ENTRIES)('writes the same line as pino would for $method $url', (entry) => {
    const { logger, lines } = capturingLogger('info');
    writeAccessLine(logger, entry);
    logger.info(entry, ACCESS_LOG_MESSAGE);
    expect(lines).toHaveLength(2);
    expect(withoutTime(lines[0]!)).toBe(withoutTime(lines[1]!));
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, reqId: '0193a5b2-7c1d-7e2f-8a3b-4c5d6e7f8091', msg: ACCESS_LOG_MESSAGE, status: entry.status });
  });

  it('writes nothing when the level is above info', () => {
    const { logger, root, lines } = capturingLogger('warn');
    writeAccessLine(logger, ENTRIES[0]!);
    writeAccessLine(new RequestLogger(root, { reqId: REQ_ID }, {}), ENTRIES[0]!);
    expect(lines).toEqual([]);
  });
});

describe('RequestLogger', () => {
  it('writes the access line as its pino child would, before and after anything made the child', () => {
    const { logger, root, lines } = capturingLogger('info');
    const requestLogger = new RequestLogger(root, { reqId: REQ_ID }, {});
    writeAccessLine(requestLogger, ENTRIES[1]!);
    writeAccessLine(logger, ENTRIES[1]!);
    expect(withoutTime(lines[0]!)).toBe(withoutTime(lines[1]!));

    requestLogger.warn({ code: 'x' }, 'made the child');
    writeAccessLine(requestLogger, ENTRIES[0]!);
    logger.info(ENTRIES[0]!, ACCESS_LOG_MESSAGE);
    expect(withoutTime(lines[3]!)).toBe(withoutTime(lines[4]!));
  });

  it('serializes bindings as pino does, whatever they hold', () => {
    const { root, lines } = capturingLogger('info');
    const bindings = { reqId: 'client-id_1.2:3', 'odd "key"': 'quote " and \\ and é', count: 3 };
    writeAccessLine(new RequestLogger(root, bindings, {}), ENTRIES[0]!);
    writeAccessLine(root.child(bindings), ENTRIES[0]!);
    expect(withoutTime(lines[0]!)).toBe(withoutTime(lines[1]!));
  });

  it('logs through a child that has the request’s bindings, at the levels enabled', () => {
    const { root, lines } = capturingLogger('info');
    const requestLogger = new RequestLogger(root, { reqId: REQ_ID }, {});
    requestLogger.debug('not at info');
    expect(lines).toEqual([]);
    requestLogger.error({ status: 502 }, 'request failed');
    requestLogger.info('plain message %s', 'formatted');
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 50, component: 'http', reqId: REQ_ID, status: 502, msg: 'request failed' }),
      expect.objectContaining({ level: 30, component: 'http', reqId: REQ_ID, msg: 'plain message formatted' }),
    ]);
    expect(requestLogger.child({ tool: 't' }).bindings()).toEqual({ component: 'http', reqId: REQ_ID, tool: 't' });
    requestLogger.level = 'debug';
    requestLogger.debug('now at debug');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ level: 20, reqId: REQ_ID, msg: 'now at debug' });
  });
});
