/**
 * The one retry policy for provider calls, whichever path makes them (the
 * OpenAI-compatible pass-through or an AI SDK provider's `fetch`). Only
 * failures before the first byte are retried: once a provider has started
 * answering, a retry could bill the call twice and would repeat what the client saw.
 */

/** Attempts in all, the first included. */
export const DEFAULT_ATTEMPTS = 3;

const RETRY_BASE_MS = 250;
/** A provider asking for a longer pause is better served by a fallback model, or by the client's own retry. */
const MAX_RETRY_AFTER_MS = 5_000;

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface RetryOptions {
  /** Attempts for failures before the first byte (connection failures, 429, 5xx); a response timeout is not retried. */
  readonly attempts?: number;
  readonly sleep?: Sleep;
}

/** What went wrong before the first byte: the provider was not reached, or it answered with an error status. */
export type EarlyFailure =
  | { readonly kind: 'transport'; readonly error: unknown }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds: number | undefined };

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 6; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
  }
  return chain;
}

/** The provider was reached and kept the request: it timed out answering, or answered more than we accept. */
const FINAL_TRANSPORT_CODES = new Set<unknown>(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_RES_EXCEEDED_MAX_SIZE']);

function providerKeptTheRequest(chain: readonly unknown[]): boolean {
  return chain.some((entry) => FINAL_TRANSPORT_CODES.has((entry as { code?: unknown }).code));
}

function jittered(attempt: number): number {
  return Math.round(RETRY_BASE_MS * 2 ** (attempt - 1) * (0.5 + Math.random()));
}

/**
 * The pause before the next attempt, or undefined when `failure` is final:
 * the attempts are used up, the provider refused the request itself (4xx but
 * 429), asked for a pause longer than we wait, accepted the request and
 * did not answer in time — it may still be working on it, and a retry would
 * make the client wait several timeouts — or answered with more than the
 * response size limit (it would again). An address-policy refusal (an error
 * carrying a `kind`, anywhere in the cause chain) is never retried either.
 */
export function earlyRetryDelayMs(failure: EarlyFailure, attempt: number, attempts: number = DEFAULT_ATTEMPTS): number | undefined {
  if (attempt >= attempts) return undefined;
  if (failure.kind === 'transport') {
    const chain = causes(failure.error);
    if (chain.some((entry) => (entry as { kind?: unknown }).kind !== undefined) || providerKeptTheRequest(chain)) return undefined;
    return jittered(attempt);
  }
  if (failure.status !== 429 && failure.status < 500) return undefined;
  if (failure.retryAfterSeconds === undefined) return jittered(attempt);
  const asked = failure.retryAfterSeconds * 1000;
  return asked > MAX_RETRY_AFTER_MS ? undefined : asked;
}

/** Reads a `retry-after` header given in seconds; an HTTP date is not honoured (backoff applies). */
export function parseRetryAfter(value: string | string[] | null | undefined): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
