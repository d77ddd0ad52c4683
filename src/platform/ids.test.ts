import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { isUuid, newId } from './ids.js';

/** The 48-bit millisecond timestamp at the front of a UUIDv7. */
function timestampOf(id: string): number {
  return Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

describe('newId', () => {
  it('makes RFC 9562 version 7 UUIDs that carry the time they were made', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(validate(id)).toBe(true);
    expect(version(id)).toBe(7);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(timestampOf(id)).toBeGreaterThanOrEqual(before);
    expect(timestampOf(id)).toBeLessThanOrEqual(after);
    expect(isUuid(id)).toBe(true);
  });

  it('never repeats and never goes backwards, also within one millisecond and across refills of the random pool', () => {
    // More ids than one pool of random bytes serves, most of them within the same few milliseconds.
    const ids = Array.from({ length: 5_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    const sorted = [...ids].sort();
    expect(ids).toEqual(sorted);
    const perMillisecond = new Map<number, number>();
    for (const id of ids) perMillisecond.set(timestampOf(id), (perMillisecond.get(timestampOf(id)) ?? 0) + 1);
    expect(Math.max(...perMillisecond.values())).toBeGreaterThan(1);
  });

  it('draws fresh randomness for each id (the tails differ)', () => {
    const tails = new Set(Array.from({ length: 1_000 }, () => newId().slice(-10)));
    expect(tails.size).toBe(1_000);
  });
});
