import { describe, expect, it } from 'vitest';
import { JsonTextCache } from './json-text-cache.js';

describe('JsonTextCache', () => {
  it('gives JSON.stringify’s text, before and after its limit is reached', () => {
    const cache = new JsonTextCache(2);
    const values = ['POST', '/v1/chat/completions', 'quote " back \\ line \n é 😀', '', 'POST'];
    for (const value of values) expect(cache.of(value)).toBe(JSON.stringify(value));
    // Past the limit a value is encoded again each time, still correctly.
    expect(cache.of('quote " back \\ line \n é 😀')).toBe(JSON.stringify('quote " back \\ line \n é 😀'));
  });
});
