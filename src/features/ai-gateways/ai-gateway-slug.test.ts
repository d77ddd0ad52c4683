import { describe, expect, it } from 'vitest';
import { firstFreeSlug, slugFromName } from './ai-gateway-slug.js';

describe('gateway slugs', () => {
  it('derives a URL-safe slug from any name', () => {
    expect(slugFromName('Support Bot (EU)')).toBe('support-bot-eu');
    expect(slugFromName('Ünïcode Gätewäy — v2')).toBe('unicode-gateway-v2');
    expect(slugFromName('日本語')).toBe('gateway');
    expect(slugFromName(`${'a'.repeat(62)} b`)).toBe('a'.repeat(62));
  });

  it('numbers a slug that is taken, staying within 63 characters', () => {
    expect(firstFreeSlug('bot', new Set())).toBe('bot');
    expect(firstFreeSlug('bot', new Set(['bot', 'bot-2']))).toBe('bot-3');
    const long = 'a'.repeat(63);
    expect(firstFreeSlug(long, new Set([long]))).toBe(`${'a'.repeat(61)}-2`);
  });
});
