import type { z } from 'zod';
import type { Logger } from '../logging/logger.js';

export interface JobContext {
  readonly jobId: string;
  /** 1 for the first run; counts runs whose worker died too. */
  readonly attempt: number;
  /** Fires on the job's timeout and when the worker shuts down past its drain time. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** One kind of job: its name, payload schema, limits and handler. */
export interface JobDefinition<Payload> {
  readonly name: string;
  readonly payload: z.ZodType<Payload>;
  /** Also the lease: a job still running after this long is assumed lost. */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  handle(payload: Payload, context: JobContext): Promise<void>;
}

export function defineJob<Payload>(definition: JobDefinition<Payload>): JobDefinition<Payload> {
  return definition;
}

/**
 * Exponential backoff with ±20 % jitter, so retries of a burst of failures
 * spread out. `maxDelayMs` bounds the jittered delay too: near the cap the
 * jitter only shortens it.
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempt - 1));
  return Math.min(policy.maxDelayMs, Math.round(exponential * (0.8 + 0.4 * random())));
}
