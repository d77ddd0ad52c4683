import { describe, expect, it } from 'vitest';
import { parseRange } from './byte-range.js';

describe('parseRange', () => {
  it('serves the whole representation without a Range header', () => {
    expect(parseRange(undefined, 100)).toEqual({ kind: 'whole' });
  });

  it.each([
    ['bytes=0-9', { start: 0, end: 9 }],
    ['bytes=10-', { start: 10, end: 99 }],
    ['bytes=-20', { start: 80, end: 99 }],
    ['bytes=-500', { start: 0, end: 99 }],
    ['bytes=90-1000', { start: 90, end: 99 }],
    ['bytes = 5 - 5', { start: 5, end: 5 }],
  ])('reads %s', (header, range) => {
    expect(parseRange(header, 100)).toEqual({ kind: 'partial', range });
  });

  it.each(['bytes=100-', 'bytes=150-200', 'bytes=-0'])('finds %s unsatisfiable for 100 bytes', (header) => {
    expect(parseRange(header, 100)).toEqual({ kind: 'unsatisfiable' });
  });

  it.each(['items=0-5', 'bytes=5-2', 'bytes=abc', 'bytes=-', 'bytes=0-1,5-6'])('ignores %s and serves the whole representation', (header) => {
    expect(parseRange(header, 100)).toEqual({ kind: 'whole' });
  });
});
