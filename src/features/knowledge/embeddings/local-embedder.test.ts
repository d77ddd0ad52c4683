import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEmbedder } from './local-embedder.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * (b[index] as number), 0);
const length = (vector: Float32Array) => Math.sqrt(dot(vector, vector));

// The pairs measured in shared/models/universal-sentence-encoder-lite/PROVENANCE.md.
const GUITAR = 'A man is playing a guitar.';
const GUITAR_PARAPHRASE = 'Someone is strumming a guitar.';
const STOCKS = 'The stock market fell sharply today.';
const PASSWORD = 'How do I reset my password?';
const PASSWORD_PARAPHRASE = 'I forgot my login credentials, how can I recover my account?';
const WEATHER = 'What is the weather like in Paris?';

/** The real model in real worker threads; loading it takes a second or two per worker, so the tests share one pool. */
describe('LocalEmbedder (Universal Sentence Encoder Lite)', () => {
  let embedder: LocalEmbedder;
  beforeAll(() => {
    embedder = new LocalEmbedder({ workers: 2, batchSize: 2 });
  });
  afterAll(async () => {
    await embedder.close();
  });

  it('gives 512-dim unit vectors in which paraphrases score above unrelated sentences', async () => {
    expect(await embedder.dimensions()).toBe(512);
    const [guitar, strumming, stocks, password, recover, weather] = await embedder.embed([
      GUITAR,
      GUITAR_PARAPHRASE,
      STOCKS,
      PASSWORD,
      PASSWORD_PARAPHRASE,
      WEATHER,
    ]);
    for (const vector of [guitar, strumming, stocks, password, recover, weather]) {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toHaveLength(512);
      expect(length(vector as Float32Array)).toBeCloseTo(1, 5);
    }
    const cosine = (a: Float32Array | undefined, b: Float32Array | undefined) => dot(a as Float32Array, b as Float32Array);
    expect(cosine(guitar, strumming)).toBeGreaterThan(0.6);
    expect(cosine(guitar, strumming)).toBeGreaterThan(cosine(guitar, stocks) + 0.4);
    expect(cosine(password, recover)).toBeGreaterThan(cosine(password, weather) + 0.4);
  }, 60_000);

  it('returns the vectors of a split input in input order: a text embeds the same alone and inside a batch', async () => {
    const texts = [GUITAR, STOCKS, WEATHER, PASSWORD, '', GUITAR_PARAPHRASE, 'Ein Mann spielt Gitarre.'];
    const together = await embedder.embed(texts);
    const alone = await Promise.all(texts.map(async (text) => (await embedder.embed([text]))[0] as Float32Array));
    expect(together).toHaveLength(texts.length);
    together.forEach((vector, index) => {
      expect(dot(vector, alone[index] as Float32Array)).toBeGreaterThan(0.999);
      expect(length(vector)).toBeCloseTo(1, 5);
    });
    expect(dot(together[0] as Float32Array, together[1] as Float32Array)).toBeLessThan(0.9);
    expect(embedder.runningWorkers).toBe(2);
  }, 60_000);

  it('close() ends its workers', async () => {
    await embedder.close();
    expect(embedder.runningWorkers).toBe(0);
    await expect(embedder.embed([GUITAR])).rejects.toThrow('closed');
  });
});
