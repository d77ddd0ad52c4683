import { describe, expect, it } from 'vitest';
import { findOverlapTail } from './overlap-tail.js';

function tail(text: string, limit: number, floor = 0): string | undefined {
  const found = findOverlapTail(text, floor, text.length, limit);
  return found && text.slice(found.start);
}

describe('findOverlapTail', () => {
  it('starts on a sentence when that gives at least half of the limit', () => {
    expect(tail('One two three. Four five six seven', 8)).toBe('Four five six seven');
    expect(tail('One two three.\nfour five six seven', 8)).toBe('four five six seven');
  });

  it('otherwise takes as many whole words as fit', () => {
    expect(tail('One two three four. Five six', 6)).toBe('three four. Five six');
    expect(tail('One two e.g. three four five', 8)).toBe('e.g. three four five');
  });

  it('gives nothing when the last word alone is over the limit', () => {
    expect(tail('Short then incomprehensibilities', 2)).toBeUndefined();
  });

  it('never starts inside a word cut at the floor', () => {
    expect(tail('xxxxAAAA tail words', 32, 4)).toBe('tail words');
    expect(tail('xxxx AAAA tail words', 32, 5)).toBe('AAAA tail words');
  });

  it('takes CJK text character by character', () => {
    expect(tail('東京です。大阪です', 4)).toBe('大阪です');
    expect(tail('東京です大阪です', 3)).toBe('阪です');
  });
});
