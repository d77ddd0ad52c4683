import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { retryingFetch } from './retrying-fetch.js';
import { earlyRetryDelayMs, parseRetryAfter } from './upstream-retry.js';

const status = (code: number, retryAfterSeconds?: number) => ({ kind: 'status' as const, status: code, retryAfterSeconds });
const transport = (error: unknown) => ({ kind: 'transport' as const, error });

describe('earlyRetryDelayMs', () => {
  it('retries 429 and 5xx with a jittered, growing backoff until the attempts run out', () => {
    for (const code of [429, 500, 502, 503, 529]) {
      const first = earlyRetryDelayMs(status(code), 1, 3);
      expect(first).toBeGreaterThanOrEqual(125);
      expect(first).toBeLessThanOrEqual(375);
      expect(earlyRetryDelayMs(status(code), 2, 3)).toBeGreaterThanOrEqual(250);
      expect(earlyRetryDelayMs(status(code), 3, 3)).toBeUndefined();
    }
  });

  it('never retries a request the provider refused, nor waits longer than five seconds', () => {
    for (const code of [400, 401, 403, 404, 422]) expect(earlyRetryDelayMs(status(code), 1, 3)).toBeUndefined();
    expect(earlyRetryDelayMs(status(429, 2), 1, 3)).toBe(2_000);
    expect(earlyRetryDelayMs(status(503, 30), 1, 3)).toBeUndefined();
  });

  it('retries a provider it could not reach, but not one that accepted the call and went quiet, nor a policy refusal', () => {
    expect(earlyRetryDelayMs(transport({ code: 'ECONNREFUSED' }), 1, 3)).toBeGreaterThan(0);
    // As undici's fetch reports them: the code sits on the cause.
    expect(earlyRetryDelayMs(transport(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })), 1, 3)).toBeGreaterThan(0);
    expect(earlyRetryDelayMs(transport(new TypeError('fetch failed', { cause: { code: 'UND_ERR_HEADERS_TIMEOUT' } })), 1, 3)).toBeUndefined();
    expect(earlyRetryDelayMs(transport({ code: 'UND_ERR_BODY_TIMEOUT' }), 1, 3)).toBeUndefined();
    // It answered, with more than the size limit: it would again.
    expect(earlyRetryDelayMs(transport({ code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE' }), 1, 3)).toBeUndefined();
    const refusal = new AppError('forbidden', 'outbound_address_blocked', 'private address');
    expect(earlyRetryDelayMs(transport(new TypeError('fetch failed', { cause: refusal })), 1, 3)).toBeUndefined();
  });

  it('reads Retry-After in seconds only', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT')).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('retryingFetch', () => {
  const noSleep = async () => undefined;

  it('hands the SDK the last answer once the attempts are spent, and the first success otherwise', async () => {
    const statuses = [503, 503, 503, 200];
    let calls = 0;
    const flaky = retryingFetch(async () => new Response('{}', { status: statuses[calls++] ?? 200 }), { sleep: noSleep });
    expect((await flaky('http://provider.test')).status).toBe(503);
    expect(calls).toBe(3);
    expect((await flaky('http://provider.test')).status).toBe(200);
  });

  it('retries a provider it could not reach, but not one that went quiet after taking the request', async () => {
    let calls = 0;
    const refusedOnce = retryingFetch(
      async () => {
        calls += 1;
        if (calls === 1) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
        return new Response('{}', { status: 200 });
      },
      { sleep: noSleep },
    );
    expect((await refusedOnce('http://provider.test')).status).toBe(200);
    expect(calls).toBe(2);

    let timedOut = 0;
    const quiet = retryingFetch(
      async () => {
        timedOut += 1;
        throw new TypeError('fetch failed', { cause: { code: 'UND_ERR_HEADERS_TIMEOUT' } });
      },
      { sleep: noSleep },
    );
    await expect(quiet('http://provider.test')).rejects.toThrow('fetch failed');
    expect(timedOut).toBe(1);
  });

  it('gives up at once when the call was aborted', async () => {
    const controller = new AbortController();
    const fetchOnce = retryingFetch(async () => {
      controller.abort(new Error('client left'));
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    });
    await expect(fetchOnce('http://provider.test', { signal: controller.signal })).rejects.toThrow('fetch failed');
  });
});
