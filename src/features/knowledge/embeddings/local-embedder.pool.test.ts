import { afterEach, describe, expect, it } from 'vitest';
import { LocalEmbedder } from './local-embedder.js';

/** A worker that answers without a model (see the fixture), so the pool's behaviour is tested in milliseconds. */
const workerUrl = new URL('../../../../test/fixtures/scripted-embedder-worker.ts', import.meta.url);

describe('LocalEmbedder pool', () => {
  const embedders: LocalEmbedder[] = [];
  const embedder = (options: { workers?: number; batchSize?: number } = {}) => {
    const created = new LocalEmbedder({ ...options, workerUrl });
    embedders.push(created);
    return created;
  };
  afterEach(async () => {
    await Promise.all(embedders.splice(0).map((created) => created.close()));
  });

  it('starts no worker before the first embed, and then only as many as the batches need', async () => {
    const pool = embedder({ workers: 3, batchSize: 2 });
    expect(pool.runningWorkers).toBe(0);
    await expect(pool.embed([])).resolves.toEqual([]);
    expect(pool.runningWorkers).toBe(0);
    await pool.embed(['a', 'bb']);
    expect(pool.runningWorkers).toBe(1);
  });

  it('spreads batches over the workers and returns the vectors in input order', async () => {
    const pool = embedder({ workers: 2, batchSize: 2 });
    const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff', 'g'];
    const vectors = await pool.embed(texts);
    expect(vectors.map((vector) => vector[0])).toEqual(texts.map((text) => text.length));
    expect(pool.runningWorkers).toBe(2);
  });

  it('rejects the calls of a crashed worker with a clear error and replaces it on the next call', async () => {
    const pool = embedder({ workers: 1 });
    await expect(pool.embed(['ok', 'crash'])).rejects.toThrow(/local embedding worker stopped unexpectedly \(exit code 3\)/);
    expect(pool.runningWorkers).toBe(0);
    await expect(pool.embed(['again'])).resolves.toHaveLength(1);
    expect(pool.runningWorkers).toBe(1);
  });

  it('rejects an aborted call with the signal reason, before or during its batches', async () => {
    const pool = embedder({ workers: 1, batchSize: 1 });
    const reason = new Error('client went away');
    await expect(pool.embed(['x'], AbortSignal.abort(reason))).rejects.toBe(reason);
    const controller = new AbortController();
    const pending = pool.embed(['hang', 'queued'], controller.signal);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('close() ends the workers, rejects pending calls and refuses new ones', async () => {
    const pool = embedder({ workers: 2, batchSize: 1 });
    await pool.embed(['a', 'b']);
    const pending = expect(pool.embed(['hang'])).rejects.toThrow('The local embedder was closed.');
    await pool.close();
    await pending;
    expect(pool.runningWorkers).toBe(0);
    await expect(pool.embed(['a'])).rejects.toThrow('The local embedder is closed.');
  });

  it('refuses a pool or batch size that is not a positive integer', () => {
    expect(() => new LocalEmbedder({ workers: 0 })).toThrow(RangeError);
    expect(() => new LocalEmbedder({ batchSize: 1.5 })).toThrow(RangeError);
  });
});
