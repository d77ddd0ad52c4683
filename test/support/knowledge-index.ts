import { type ChunkOptions, chunkDocument } from '../../src/features/knowledge/chunking/index.js';
import type { DatabaseHandle } from '../../src/platform/db/database.js';
import type { HttpClient } from './http-client.js';

export interface DocumentLine {
  readonly name: string;
  readonly contents: string;
}

const WORDS = (
  'pump valve gasket boiler filter pressure season harvest river bridge signal ledger invoice winter ' +
  'garden orchard engine turbine cable anchor harbour market lantern mirror canvas marble compass timber'
).split(' ');

/**
 * `wordCount` words in sentences of ten, different for every seed. Short on
 * purpose: the built-in model's cost grows with each text's length.
 */
export function proseDocument(seed: number, wordCount: number): string {
  let state = (seed * 2_654_435_761 + 1) >>> 0;
  const next = (bound: number) => {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    return state % bound;
  };
  const words = Array.from({ length: wordCount }, () => WORDS[next(WORDS.length)]);
  const sentences: string[] = [];
  for (let start = 0; start < words.length; start += 10) sentences.push(`${words.slice(start, start + 10).join(' ')}.`);
  return `Note ${seed}: ${sentences.join(' ')}`;
}

/** Sends `documents` as the JSONL import of the collection (multipart field `documents`). */
export async function importDocuments(baseUrl: string, key: string, collectionId: string, documents: readonly DocumentLine[]) {
  const form = new FormData();
  const file = documents.map((document) => JSON.stringify(document)).join('\n');
  form.append('documents', new Blob([file], { type: 'application/jsonl' }), 'documents.jsonl');
  const response = await fetch(new URL(`/api/v1/collections/${collectionId}/documents`, baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
    body: form,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Each document's stored chunk positions, in order: what the pipeline wrote. */
export async function storedChunkPositions(db: DatabaseHandle, collectionId: string): Promise<Record<string, number[]>> {
  const rows = await db
    .selectFrom('chunks')
    .select(['document_id', 'position'])
    .where('collection_id', '=', collectionId)
    .orderBy('document_id')
    .orderBy('position')
    .execute();
  const positions: Record<string, number[]> = {};
  for (const row of rows) (positions[row.document_id] ??= []).push(Number(row.position));
  return positions;
}

/** The positions one clean run gives each document: 0..n-1, n being what the chunker makes of its contents. */
export function expectedChunkPositions(documents: ReadonlyMap<string, string>, options: ChunkOptions): Record<string, number[]> {
  const positions: Record<string, number[]> = {};
  for (const [id, contents] of documents) positions[id] = chunkDocument(contents, options).map((_, index) => index);
  return positions;
}

export interface WaitOptions {
  /** Default 30 s. */
  readonly timeoutMs?: number;
  /** Default 50 ms. */
  readonly intervalMs?: number;
}

/**
 * Re-checks `probe` until it returns a value, failing with what `describe` says
 * once `timeoutMs` has passed. A probe that throws is tried again (a busy server
 * may reset a kept-alive connection); the last error is reported at the deadline.
 */
export async function eventually<T>(probe: () => Promise<T | undefined>, describe: () => Promise<string> | string, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms: ${await describe()}`, lastError === undefined ? {} : { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves once the collection's HTTP view counts `total` documents Indexed; the built-in model may take a while on a shared machine. */
export async function waitIndexed(http: HttpClient, collectionId: string, total: number, key: string): Promise<void> {
  let state: unknown;
  await eventually(
    async () => {
      const view = await http.get<{ state: { indexed: number } }>(`/api/v1/collections/${collectionId}`, { key });
      state = view.body.state;
      return view.body.state.indexed === total ? true : undefined;
    },
    () => `collection ${collectionId} not indexed: ${JSON.stringify(state)}`,
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}
