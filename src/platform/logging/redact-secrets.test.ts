import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact-secrets.js';

describe('redactSecrets', () => {
  it('returns an object without secrets as it is, not a copy', () => {
    const line = { method: 'POST', url: '/v1/chat/completions', status: 200, nested: { model: 'm', list: [{ a: 1 }] } };
    expect(redactSecrets(line)).toBe(line);
  });

  it('censors secret fields at any of the first levels, in arrays too, whatever their case, and leaves the original intact', () => {
    const headers = Object.assign(Object.create(null) as Record<string, unknown>, { Authorization: 'Bearer sk-1', accept: '*/*' });
    const line = { apiKey: 'sk-2', req: { headers }, items: [{ password: 'p' }, 'plain'], ok: 'kept' };
    const redacted = redactSecrets(line);
    expect(redacted).toEqual({
      apiKey: '[Redacted]',
      req: { headers: { Authorization: '[Redacted]', accept: '*/*' } },
      items: [{ password: '[Redacted]' }, 'plain'],
      ok: 'kept',
    });
    expect(line.apiKey).toBe('sk-2');
    expect(headers.Authorization).toBe('Bearer sk-1');
  });

  it('leaves class instances to their serializers', () => {
    const error = Object.assign(new Error('failed'), { detail: 'x' });
    const line = { err: error };
    expect(redactSecrets(line)).toBe(line);
  });
});
