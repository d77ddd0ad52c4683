import type { ChunkSignatureRow } from '../chunk.repository.js';
import { signatureWords } from '../indexing/vector-encoding.js';

/**
 * One collection's chunk signatures (a sign bit per dimension) packed in one typed
 * array. A Hamming scan over it picks the candidates that are then rescored exactly
 * with their stored vectors: 100,000 chunks of 512 dimensions take 6.4 MB here and
 * a few milliseconds to scan, where an exact float scan would take 200 MB and tens
 * of milliseconds.
 */
export class SignatureIndex {
  private constructor(
    readonly version: number,
    private readonly seqs: Float64Array,
    private readonly words: Uint32Array,
    private readonly wordsPerChunk: number,
  ) {}

  static build(version: number, rows: readonly ChunkSignatureRow[]): SignatureIndex {
    const wordsPerChunk = rows.length === 0 ? 0 : (rows[0]?.signature.byteLength ?? 0) / 4;
    const seqs = new Float64Array(rows.length);
    const words = new Uint32Array(rows.length * wordsPerChunk);
    let count = 0;
    for (const row of rows) {
      // A chunk of another length (a model changed mid-way) cannot be compared; the collection is being re-embedded.
      if (row.signature.byteLength !== wordsPerChunk * 4) continue;
      seqs[count] = row.seq;
      signatureWords(row.signature, words, count * wordsPerChunk);
      count += 1;
    }
    return new SignatureIndex(version, seqs.subarray(0, count), words.subarray(0, count * wordsPerChunk), wordsPerChunk);
  }

  get size(): number {
    return this.seqs.length;
  }

  get bytes(): number {
    return this.seqs.byteLength + this.words.byteLength;
  }

  /** The seqs of the `limit` chunks nearest to `query` by Hamming distance (ties at the cut are taken in seq order). */
  nearest(query: Uint8Array, limit: number): number[] {
    const perChunk = this.wordsPerChunk;
    if (this.size === 0 || query.byteLength !== perChunk * 4 || limit <= 0) return [];
    if (this.size <= limit) return Array.from(this.seqs);
    const target = new Uint32Array(perChunk);
    signatureWords(query, target, 0);
    const distances = new Uint16Array(this.size);
    const histogram = new Uint32Array(perChunk * 32 + 1);
    const words = this.words;
    for (let chunk = 0, offset = 0; chunk < distances.length; chunk += 1, offset += perChunk) {
      let distance = 0;
      for (let word = 0; word < perChunk; word += 1) distance += popcount((words[offset + word] ?? 0) ^ (target[word] ?? 0));
      distances[chunk] = distance;
      histogram[distance] = (histogram[distance] ?? 0) + 1;
    }
    // A counting selection: the smallest distance at which enough chunks are within reach.
    let cut = 0;
    for (let seen = 0; cut < histogram.length; cut += 1) {
      seen += histogram[cut] ?? 0;
      if (seen >= limit) break;
    }
    // Everything closer than the cut, then chunks at the cut until `limit`: near-duplicates can put thousands at one distance.
    let atCut = limit;
    for (let distance = 0; distance < cut; distance += 1) atCut -= histogram[distance] ?? 0;
    const result: number[] = [];
    for (let chunk = 0; chunk < distances.length; chunk += 1) {
      const distance = distances[chunk] ?? Infinity;
      if (distance < cut || (distance === cut && atCut-- > 0)) result.push(this.seqs[chunk] ?? 0);
    }
    return result;
  }
}

function popcount(value: number): number {
  let bits = value - ((value >>> 1) & 0x55555555);
  bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333);
  return Math.imul((bits + (bits >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
