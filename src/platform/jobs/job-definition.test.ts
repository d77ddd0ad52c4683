import { describe, expect, it } from 'vitest';
import { type RetryPolicy, retryDelayMs } from './job-definition.js';

const policy: RetryPolicy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 5_000 };

/** The middle of the jitter range: no jitter at all. */
const noJitter = () => 0.5;

/** A seeded generator, so the sampled jitter is the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('retryDelayMs', () => {
  it('doubles the delay with each failed attempt, starting at the base delay', () => {
    const delays = [1, 2, 3, 4, 5].map((attempt) => retryDelayMs(policy, attempt, noJitter));
    expect(delays).toEqual([100, 200, 400, 800, 1_600]);
  });

  it('treats an attempt below 1 as the first', () => {
    expect(retryDelayMs(policy, 0, noJitter)).toBe(100);
    expect(retryDelayMs(policy, -3, noJitter)).toBe(100);
  });

  it('caps the delay at maxDelayMs', () => {
    expect(retryDelayMs(policy, 6, noJitter)).toBe(3_200);
    expect(retryDelayMs(policy, 7, noJitter)).toBe(5_000);
    expect(retryDelayMs(policy, 60, noJitter)).toBe(5_000);
  });

  it('never exceeds maxDelayMs, whatever the jitter', () => {
    for (const random of [() => 0, () => 0.75, () => 0.999_999]) {
      for (const attempt of [7, 8, 30]) {
        expect(retryDelayMs(policy, attempt, random)).toBeLessThanOrEqual(policy.maxDelayMs);
      }
    }
    // Jitter still spreads capped retries (downwards) rather than pinning them all to the cap.
    expect(retryDelayMs(policy, 30, () => 0)).toBe(4_000);
  });

  it('jitters by at most 20 % either way', () => {
    expect(retryDelayMs(policy, 3, () => 0)).toBe(320);
    expect(retryDelayMs(policy, 3, () => 0.999_999)).toBe(480);
    const random = seededRandom(42);
    const samples = Array.from({ length: 1_000 }, () => retryDelayMs(policy, 3, random));
    for (const delay of samples) {
      expect(delay).toBeGreaterThanOrEqual(320);
      expect(delay).toBeLessThanOrEqual(480);
    }
    // The jitter actually varies: a burst of failures does not retry in lockstep.
    expect(new Set(samples).size).toBeGreaterThan(50);
    expect(Math.min(...samples)).toBeLessThan(340);
    expect(Math.max(...samples)).toBeGreaterThan(460);
  });

  it('uses Math.random by default and stays within the jitter range', () => {
    for (let index = 0; index < 200; index += 1) {
      const delay = retryDelayMs(policy, 2, undefined);
      expect(delay).toBeGreaterThanOrEqual(160);
      expect(delay).toBeLessThanOrEqual(240);
    }
  });
});
