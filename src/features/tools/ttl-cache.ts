export interface TtlCacheOptions {
  /** Oldest entries are dropped past this, so tenant-chosen keys cannot grow memory without bound. */
  readonly maxEntries: number;
  readonly now?: () => number;
}

export interface CacheLoadOptions<T> {
  /** How long a loaded value stays; 0 keeps it only while it is being loaded. */
  readonly ttlMs: (value: T) => number;
  /** Stops the caller waiting; the load itself goes on for the others sharing it. */
  readonly signal?: AbortSignal;
}

/** Waits for `promise`, or rejects with the signal's reason when it fires first. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

/**
 * An in-memory cache of remote lookups (tool lists, instruction texts) in which
 * concurrent turns asking for the same key share one load. Loads take no
 * caller signal: one turn being cancelled must not fail the others waiting on
 * the same load, so loaders bound themselves with their own timeout.
 */
export class TtlCache<T> {
  private readonly entries = new Map<string, { readonly value: T; readonly expiresAt: number }>();
  private readonly loading = new Map<string, Promise<T>>();
  private readonly now: () => number;

  constructor(private readonly options: TtlCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  async get(key: string, load: () => Promise<T>, options: CacheLoadOptions<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry) {
      if (entry.expiresAt > this.now()) return entry.value;
      this.entries.delete(key);
    }
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.loadAndStore(key, load, options.ttlMs);
      this.loading.set(key, pending);
    }
    return untilAborted(pending, options.signal);
  }

  clear(): void {
    this.entries.clear();
  }

  private async loadAndStore(key: string, load: () => Promise<T>, ttlMs: (value: T) => number): Promise<T> {
    try {
      const value = await load();
      const ttl = ttlMs(value);
      if (ttl > 0) {
        if (this.entries.size >= this.options.maxEntries) {
          const oldest = this.entries.keys().next();
          if (!oldest.done) this.entries.delete(oldest.value);
        }
        this.entries.set(key, { value, expiresAt: this.now() + ttl });
      }
      return value;
    } finally {
      this.loading.delete(key);
    }
  }
}
