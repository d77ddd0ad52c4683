import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './logger.js';

describe('redactUrl', () => {
  it('removes the api-key query parameter wherever it stands', () => {
    expect(redactUrl('/v1/models?api-key=sk-secret&x=1')).toBe('/v1/models?api-key=[Redacted]&x=1');
    expect(redactUrl('/v1/models?x=1&API-KEY=sk-secret')).toBe('/v1/models?x=1&API-KEY=[Redacted]');
    expect(redactUrl('/v1/models?x=1')).toBe('/v1/models?x=1');
  });
});

describe('createLogger', () => {
  it('never writes secret fields', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('info', sink);
    logger.info({ body: { apiKey: 'sk-leak-1', grantKey: 'sk-leak-2' } }, 'created');
    expect(lines.join('')).not.toContain('sk-leak');
    expect(lines.join('')).toContain('[Redacted]');
  });
});
