import { describe, expect, it } from 'vitest';
import type { ApiKeyRow } from './api-key.repository.js';
import { VerifiedKeyCache } from './verified-key-cache.js';

const key: ApiKeyRow = {
  id: 'key-1',
  org_id: 'org-1',
  agent_id: null,
  label: 'test',
  key_hash: 'hash-1',
  last_chars: 'abc123',
  expires_at: null,
  used_at: null,
  created_at: '2026-01-01T00:00:00.000Z',
  requests_per_minute: null,
  tokens_per_day: null,
};

describe('verified key cache', () => {
  it('keeps a key for the TTL and forgets it when evicted', () => {
    const cache = new VerifiedKeyCache(5_000);
    cache.set(key, 1_000, 1_000);
    expect(cache.get('hash-1', 5_999)?.key).toBe(key);
    expect(cache.get('hash-1', 6_000)).toBeUndefined();
    cache.set(key, 7_000, 7_000);
    cache.evict('key-1', 7_500);
    expect(cache.get('hash-1', 7_600)).toBeUndefined();
  });

  it('does not put back a row read before the key was evicted', () => {
    const cache = new VerifiedKeyCache(5_000);
    cache.evict('key-1', 2_000);
    cache.set(key, 2_010, 1_990);
    expect(cache.get('hash-1', 2_020)).toBeUndefined();
    cache.set(key, 2_030, 2_025);
    expect(cache.get('hash-1', 2_040)?.key).toBe(key);
  });

  it('says until when a row may be trusted, and counts evictions', () => {
    const cache = new VerifiedKeyCache(5_000);
    expect(cache.set(key, 1_000, 1_000)).toBe(6_000);
    expect(cache.get('hash-1', 1_500)?.cachedUntil).toBe(6_000);
    const before = cache.generation;
    cache.evict('key-1', 2_000);
    expect(cache.generation).toBe(before + 1);
    // A row read before the eviction is not kept, so it may not be trusted past now.
    expect(cache.set(key, 2_010, 1_990)).toBe(2_010);
    expect(new VerifiedKeyCache(0).set(key, 1_000, 1_000)).toBe(1_000);
  });
});
