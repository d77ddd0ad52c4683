import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('keeps a value for its ttl and loads again after', async () => {
    let now = 1_000;
    let loads = 0;
    const cache = new TtlCache<number>({ maxEntries: 10, now: () => now });
    const load = async () => (loads += 1);
    expect(await cache.get('k', load, { ttlMs: () => 100 })).toBe(1);
    now += 99;
    expect(await cache.get('k', load, { ttlMs: () => 100 })).toBe(1);
    now += 1;
    expect(await cache.get('k', load, { ttlMs: () => 100 })).toBe(2);
  });

  it('does not keep a value whose ttl is 0, and shares loads in flight', async () => {
    let loads = 0;
    const cache = new TtlCache<number>({ maxEntries: 10 });
    const load = async () => {
      loads += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return loads;
    };
    expect(await Promise.all([cache.get('k', load, { ttlMs: () => 0 }), cache.get('k', load, { ttlMs: () => 0 })])).toEqual([1, 1]);
    expect(await cache.get('k', load, { ttlMs: () => 0 })).toBe(2);
  });

  it('drops the oldest entry past maxEntries', async () => {
    let loads = 0;
    const cache = new TtlCache<number>({ maxEntries: 2 });
    const load = async () => (loads += 1);
    await cache.get('a', load, { ttlMs: () => 60_000 });
    await cache.get('b', load, { ttlMs: () => 60_000 });
    await cache.get('c', load, { ttlMs: () => 60_000 });
    expect(await cache.get('b', load, { ttlMs: () => 60_000 })).toBe(2);
    expect(await cache.get('a', load, { ttlMs: () => 60_000 })).toBe(4);
  });

  it('lets one caller stop waiting while the load goes on for the others', async () => {
    const cache = new TtlCache<string>({ maxEntries: 10 });
    let release: (value: string) => void = () => undefined;
    const load = () => new Promise<string>((resolve) => (release = resolve));
    const controller = new AbortController();
    const impatient = cache.get('k', load, { ttlMs: () => 1_000, signal: controller.signal });
    const patient = cache.get('k', load, { ttlMs: () => 1_000 });
    controller.abort(new Error('gone'));
    await expect(impatient).rejects.toThrow('gone');
    release('value');
    expect(await patient).toBe('value');
  });
});
