import { type RetryOptions, DEFAULT_ATTEMPTS, abortableSleep, earlyRetryDelayMs, parseRetryAfter } from './upstream-retry.js';

const NEVER_ABORTED = new AbortController().signal;

/**
 * Wraps an AI SDK provider's `fetch` so it retries exactly as the
 * OpenAI-compatible path does. `fetch` resolves once the status and headers
 * are in, so every retry here happens before the first byte of the answer;
 * the SDK's own retries stay off. When the attempts run out, the last error
 * response (or error) goes to the SDK, which reports it as usual.
 */
export function retryingFetch(fetch: typeof globalThis.fetch, options: RetryOptions = {}): typeof globalThis.fetch {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const sleep = options.sleep ?? abortableSleep;
  return async (input, init) => {
    const signal = init?.signal ?? NEVER_ABORTED;
    // A streamed request body is consumed by the first attempt and cannot be sent again.
    const allowed = init?.body instanceof ReadableStream ? 1 : attempts;
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(input, init);
      } catch (error) {
        if (signal.aborted) throw error;
        const delay = earlyRetryDelayMs({ kind: 'transport', error }, attempt, allowed);
        if (delay === undefined) throw error;
        await sleep(delay, signal);
        continue;
      }
      if (response.status < 400) return response;
      const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
      const delay = earlyRetryDelayMs({ kind: 'status', status: response.status, retryAfterSeconds }, attempt, allowed);
      if (delay === undefined) return response;
      // The discarded answer's body must be released, or its connection stays busy.
      await response.body?.cancel().catch(() => undefined);
      await sleep(delay, signal);
    }
  };
}
