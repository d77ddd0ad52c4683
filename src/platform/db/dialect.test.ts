import { afterEach, describe, expect, it, vi } from 'vitest';
import { nowIso } from './dialect.js';

describe('nowIso', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads as toISOString would, across milliseconds, seconds and days', () => {
    vi.useFakeTimers();
    const base = Date.UTC(2026, 11, 31, 23, 59, 58, 0);
    // Forward, back and repeated instants, each millisecond width, and the turn of a second, a day and a year.
    const offsets = [0, 0, 1, 9, 10, 99, 100, 999, 1_000, 1_001, 1_999, 2_000, 2_007, 1_500, 86_400_000 + 42, -3_600_000 - 1];
    for (const offset of offsets) {
      vi.setSystemTime(base + offset);
      expect(nowIso()).toBe(new Date(base + offset).toISOString());
    }
  });

  it('follows the real clock', () => {
    const before = Date.now();
    const stamp = Date.parse(nowIso());
    expect(stamp).toBeGreaterThanOrEqual(before);
    expect(stamp).toBeLessThanOrEqual(Date.now());
  });
});
