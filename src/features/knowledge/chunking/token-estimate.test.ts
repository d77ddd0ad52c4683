import { describe, expect, it } from 'vitest';
import { countTokens, estimateTokens } from './token-estimate.js';

describe('estimateTokens', () => {
  it('counts nothing for blank text', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens(' \n\t\u00a0\u3000 ')).toBe(0);
  });

  it('counts a word as a token per four letters, at least one', () => {
    expect(estimateTokens('a')).toBe(1);
    expect(estimateTokens('hello')).toBe(2);
    expect(estimateTokens('tokenization')).toBe(3);
    expect(estimateTokens('hello   world')).toBe(4);
  });

  it('counts each symbol and each CJK character as a token', () => {
    expect(estimateTokens('a, b!')).toBe(4);
    expect(estimateTokens('{}();')).toBe(5);
    expect(estimateTokens('東京タワー。')).toBe(6);
  });

  it('cuts words at camelCase humps and between letters and digits', () => {
    expect(estimateTokens('getElementById')).toBe(5);
    expect(estimateTokens('abc123')).toBe(2);
    expect(estimateTokens('2024')).toBe(2);
  });

  it('counts a run of one repeated symbol as a token per four', () => {
    expect(estimateTokens('----')).toBe(1);
    expect(estimateTokens('=========')).toBe(3);
    expect(estimateTokens('...')).toBe(1);
    expect(estimateTokens('=-=')).toBe(3);
  });

  it('counts other letters two to a token and a character outside the BMP as two', () => {
    expect(estimateTokens('привет')).toBe(3);
    expect(estimateTokens('😀')).toBe(2);
  });

  it('never counts the parts of a cut text as fewer than the whole, and exactly as many when cut at whitespace', () => {
    const text = 'The URL https://example.com/a-b/c?d=e&f=gHiJ ends 123.456 here... 東京 naïve ----- 😀 camelCaseWord';
    for (let cut = 0; cut <= text.length; cut += 1) {
      const parts = countTokens(text, 0, cut) + countTokens(text, cut, text.length);
      expect(parts).toBeGreaterThanOrEqual(estimateTokens(text));
      if (/\s/.test(text[cut] ?? '')) expect(parts).toBe(estimateTokens(text));
    }
  });
});
