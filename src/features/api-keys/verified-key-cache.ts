import type { ApiKeyRow } from './api-key.repository.js';

export interface CachedKey {
  readonly key: ApiKeyRow;
  readonly cachedUntil: number;
}

/**
 * Keeps verified keys for a few seconds so an authenticated request costs no
 * database read. Deleting or rotating a key evicts it here at once; other
 * nodes see the deletion when their entry expires (the TTL, 5 s by default).
 */
export class VerifiedKeyCache {
  private readonly entries = new Map<string, CachedKey>();
  /**
   * When each key was last evicted. A verification that read the row before
   * the eviction must not put it back, or a rotated secret would keep working
   * for a whole TTL.
   */
  private readonly evictions = new Map<string, number>();
  private evictionCount = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /**
   * Counts evictions: a verification made before the count moved may be of a
   * key deleted or rotated since, so it must not be reused (see ApiKeyService.confirm).
   */
  get generation(): number {
    return this.evictionCount;
  }

  get(keyHash: string, now: number): CachedKey | undefined {
    const entry = this.entries.get(keyHash);
    if (!entry) return undefined;
    if (entry.cachedUntil <= now) {
      this.entries.delete(keyHash);
      return undefined;
    }
    return entry;
  }

  /**
   * `readStartedAt`: when the row was about to be read, to tell a stale read
   * from a fresh one. Returns until when the row may be trusted without
   * reading it again: `now` when it was not kept.
   */
  set(key: ApiKeyRow, now: number, readStartedAt: number): number {
    if (this.ttlMs === 0) return now;
    const evictedAt = this.evictions.get(key.id);
    if (evictedAt !== undefined && evictedAt >= readStartedAt) return now;
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: dropping the first entry drops the oldest.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const cachedUntil = now + this.ttlMs;
    this.entries.set(key.key_hash, { key, cachedUntil });
    return cachedUntil;
  }

  evict(keyId: string, now: number): void {
    this.evictionCount += 1;
    for (const [hash, entry] of this.entries) {
      if (entry.key.id === keyId) this.entries.delete(hash);
    }
    // A database read takes far less than a TTL, so older evictions can no longer race one.
    for (const [id, evictedAt] of this.evictions) {
      if (evictedAt < now - this.ttlMs) this.evictions.delete(id);
    }
    if (this.ttlMs > 0) this.evictions.set(keyId, now);
  }
}
