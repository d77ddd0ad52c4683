import type pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ACCESS_LOG_MESSAGE, type AccessLogEntry, writeAccessLine } from './access-log.js';
import { createLogger } from './logger.js';

function capturingLogger(level: string) {
  const lines: string[] = [];
  const sink = { write: (line: string) => void lines.push(line) } as pino.DestinationStream;
  return { logger: createLogger(level, sink).child({ reqId: '0193a5b2-7c1d-7e2f-8a3b-4c5d6e7f8091' }), lines };
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
    const { logger, lines } = capturingLogger('warn');
    writeAccessLine(logger, ENTRIES[0]!);
    expect(lines).toEqual([]);
  });
});
