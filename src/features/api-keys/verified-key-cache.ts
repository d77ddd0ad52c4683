import type { ApiKeyRow } from './api-key.repository.js';

interface Entry {
  readonly key: ApiKeyRow;
  readonly cachedUntil: number;
}

/**
 * Keeps verified keys for a few seconds so an authenticated request costs no
 * database read. Deleting or rotating a key evicts it here at once; other
 * nodes see the deletion when their entry expires (the TTL, 5 s by default).
 */
export class VerifiedKeyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(keyHash: string, now: number): ApiKeyRow | undefined {
    const entry = this.entries.get(keyHash);
    if (!entry) return undefined;
    if (entry.cachedUntil <= now) {
      this.entries.delete(keyHash);
      return undefined;
    }
    return entry.key;
  }

  set(key: ApiKeyRow, now: number): void {
    if (this.ttlMs === 0) return;
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: dropping the first entry drops the oldest.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key.key_hash, { key, cachedUntil: now + this.ttlMs });
  }

  evict(keyId: string): void {
    for (const [hash, entry] of this.entries) {
      if (entry.key.id === keyId) this.entries.delete(hash);
    }
  }
}
