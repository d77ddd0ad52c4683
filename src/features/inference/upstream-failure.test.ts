import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../platform/errors.js';
import { midStreamFailure, scrubSecrets, upstreamResponseError, upstreamTransportError } from './upstream-failure.js';

describe('upstream failures', () => {
  it('never echoes the connection key or key-shaped strings', () => {
    const message = scrubSecrets('Incorrect API key provided: sk-live-abcdef123456. Also sk-proj-***xyz789.', 'sk-live-abcdef123456');
    expect(message).not.toContain('abcdef123456');
    expect(message).not.toContain('xyz789');
  });

  it('maps provider statuses to client errors carrying the provider message', () => {
    const body = JSON.stringify({ error: { message: 'model `x` does not exist', type: 'invalid_request_error' } });
    const rejected = upstreamResponseError(404, body, { connection: 'groq', apiKey: undefined });
    expect(rejected).toMatchObject({ kind: 'invalid', code: 'upstream_rejected_request', upstreamStatus: 404 });
    expect(rejected.message).toContain('does not exist');
    expect(upstreamResponseError(429, '{}', { connection: 'groq', apiKey: undefined, retryAfterSeconds: 3 })).toMatchObject({
      kind: 'rate_limited',
      retryAfterSeconds: 3,
    });
    expect(upstreamResponseError(401, 'nope', { connection: 'groq', apiKey: undefined }).code).toBe('upstream_auth_failed');
    expect(upstreamResponseError(503, '<html>', { connection: 'groq', apiKey: undefined }).kind).toBe('upstream');
  });

  it('tells a timeout (504) from an unreachable provider (502)', () => {
    expect(upstreamTransportError({ code: 'UND_ERR_HEADERS_TIMEOUT' }, 'x').kind).toBe('upstream_timeout');
    expect(upstreamTransportError({ code: 'ECONNREFUSED' }, 'x')).toMatchObject({ kind: 'upstream', code: 'upstream_unreachable' });
  });

  it('names the size limit when a response outgrew it', () => {
    const error = upstreamTransportError({ code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE' }, 'tenant-llm');
    expect(error).toMatchObject({ kind: 'upstream', code: 'upstream_response_too_large' });
    expect(error.message).toContain("'tenant-llm'");
    expect(error.message).toContain('AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES');
  });

  it('tells how a begun stream failed: stalled, too large, or broken off', () => {
    expect(midStreamFailure({ code: 'UND_ERR_BODY_TIMEOUT' }, 'x')).toMatchObject({ kind: 'upstream_timeout', code: 'upstream_timeout' });
    expect(midStreamFailure({ code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE' }, 'x')).toMatchObject({ kind: 'upstream', code: 'upstream_response_too_large' });
    const broken = midStreamFailure(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), 'groq');
    expect(broken).toMatchObject({ kind: 'upstream', code: 'upstream_stream_failed' });
    expect(broken.message).toContain("'groq'");
    // The AI SDK path maps a provider's error event itself; its message is kept.
    const mapped = new UpstreamError('upstream', 'upstream_error', 'The provider failed: Overloaded', 529);
    expect(midStreamFailure(mapped, 'anthropic')).toBe(mapped);
  });
});
