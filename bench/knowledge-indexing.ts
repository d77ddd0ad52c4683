/**
 * Issue 6, budget 1: with the built-in embedding model on this 2-core machine,
 * index 10,000 paragraph-sized documents end to end and report documents/s and
 * the share of time spent embedding (the pipeline should keep both cores busy;
 * embedding should dominate).
 *
 * End to end: `node dist/main.js` (own process, SQLite in a temporary data
 * directory, job workers on, AGENTRY_EMBEDDING_WORKERS=2 unless BENCH_EMBEDDING_WORKERS
 * says otherwise) gets one collection and one JSONL import of 10,000 seeded
 * paragraphs (60–110 words) through the HTTP API; the clock runs from the import
 * request to the collection reporting every document Indexed. The server's own
 * metrics give the time the pipeline spent embedding and writing, and its CPU
 * time over the run says how busy the two cores were.
 *
 *   npm run build && node --import tsx bench/knowledge-indexing.ts
 */
import { performance } from 'node:perf_hooks';
import { type BenchResult, type Check, check, isMain, machineLoad, readProcCpuMs, runStandalone, withServer } from './support.js';
import { seededRandom } from './bench-data.js';

export interface KnowledgeIndexingOptions {
  readonly documents?: number;
  readonly embeddingWorkers?: number;
}

const TOPICS = (
  'pump boiler valve filter invoice refund shipping warranty account password login report export dashboard schedule backup ' +
  'printer network router firmware battery charger screen keyboard license subscription renewal delivery return exchange'
).split(' ');
const WORDS = (
  'the a customer engineer checks replaces orders cleans updates resets confirms sends receives every month before after during ' +
  'with without under over quickly carefully again new old spare main secondary daily weekly manual automatic safe faulty'
).split(' ');

/** A paragraph of 60–110 words, sentences of 8–16 words, about two topics. */
function paragraph(random: () => number): string {
  const topics = [TOPICS[Math.floor(random() * TOPICS.length)], TOPICS[Math.floor(random() * TOPICS.length)]];
  const target = 60 + Math.floor(random() * 51);
  const sentences: string[] = [];
  let words = 0;
  while (words < target) {
    const length = 8 + Math.floor(random() * 9);
    const sentence: string[] = [];
    for (let index = 0; index < length; index += 1) {
      sentence.push(random() < 0.25 ? (topics[Math.floor(random() * 2)] ?? 'pump') : (WORDS[Math.floor(random() * WORDS.length)] ?? 'the'));
    }
    const first = sentence[0] ?? 'the';
    sentence[0] = first.charAt(0).toUpperCase() + first.slice(1);
    sentences.push(`${sentence.join(' ')}.`);
    words += length;
  }
  return sentences.join(' ');
}

function jsonl(count: number): { body: string; characters: number } {
  const random = seededRandom(6);
  let characters = 0;
  const lines: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const contents = paragraph(random);
    characters += contents.length;
    lines.push(JSON.stringify({ name: `doc-${index}`, contents }));
  }
  return { body: lines.join('\n'), characters };
}

function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${labels} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

export async function runKnowledgeIndexing(options: KnowledgeIndexingOptions = {}): Promise<BenchResult> {
  const count = options.documents ?? Number(process.env.BENCH_DOCUMENTS ?? 10_000);
  const workers = options.embeddingWorkers ?? Number(process.env.BENCH_EMBEDDING_WORKERS ?? 2);
  const corpus = jsonl(count);
  return withServer({ env: { AGENTRY_EMBEDDING_WORKERS: String(workers), AGENTRY_JOB_POLL_INTERVAL_MS: '100' }, readyTimeoutMs: 60_000 }, async (server) => {
    const auth = { authorization: `Bearer ${server.adminKey}` };
    const created = await fetch(`${server.url}/api/v1/collections`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ collectionName: 'bench' }),
    });
    const collectionId = ((await created.json()) as { collectionId: string }).collectionId;

    const form = new FormData();
    form.append('documents', new Blob([corpus.body], { type: 'application/jsonl' }), 'bench.jsonl');
    const cpuBefore = await readProcCpuMs(server.pid);
    const started = performance.now();
    const imported = await fetch(`${server.url}/api/v1/collections/${collectionId}/documents`, { method: 'POST', headers: auth, body: form });
    if (imported.status !== 200) throw new Error(`import answered ${imported.status}: ${await imported.text()}`);
    const importMs = performance.now() - started;

    let state = { total: 0, indexed: 0, queued: 0, failed: 0 };
    let lastReport = performance.now();
    while (state.indexed + state.failed < count) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const view = await fetch(`${server.url}/api/v1/collections/${collectionId}`, { headers: auth });
      state = ((await view.json()) as { state: typeof state }).state;
      if (performance.now() - lastReport > 15_000) {
        lastReport = performance.now();
        console.log(`  … ${state.indexed} of ${count} indexed after ${((lastReport - started) / 1000).toFixed(0)} s`);
      }
    }
    const totalMs = performance.now() - started;
    const cpuMs = (await readProcCpuMs(server.pid)) - cpuBefore;
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const waitSeconds = metric(metrics, 'agentry_knowledge_embedding_seconds_total');
    const modelSeconds = metric(metrics, 'agentry_knowledge_local_model_seconds_total');
    const writeSeconds = metric(metrics, 'agentry_knowledge_write_seconds_total');
    const chunks = metric(metrics, 'agentry_knowledge_chunks_total');

    const documentsPerSecond = (state.indexed / totalMs) * 1000;
    // The model is CPU-bound on its worker threads, so its run time is about its CPU time.
    const embeddingShare = (modelSeconds * 1000) / cpuMs;
    const coresBusy = cpuMs / totalMs;
    const info = [
      `${count} documents, ${corpus.characters.toLocaleString('en')} characters, ${chunks} chunks; ${workers} embedding worker thread(s); ${machineLoad()}`,
      `import request ${importMs.toFixed(0)} ms; all indexed after ${(totalMs / 1000).toFixed(1)} s (${state.failed} failed)`,
      `throughput ${documentsPerSecond.toFixed(1)} documents/s`,
      `server CPU ${(cpuMs / 1000).toFixed(1)} s over ${(totalMs / 1000).toFixed(1)} s = ${coresBusy.toFixed(2)} cores busy on average`,
      `the embedding model ran ${modelSeconds.toFixed(1)} s on its worker threads = ${(embeddingShare * 100).toFixed(0)}% of the server's CPU time (its run time is wall time on its threads: above 100% means they also waited for a core, i.e. the machine was busy with something else)`,
      `the pipeline waited ${waitSeconds.toFixed(1)} s for embeddings and spent ${writeSeconds.toFixed(1)} s writing (writes overlap the next batch's embedding)`,
    ];
    const checks: Check[] = [
      check('documents indexed', state.indexed, 'docs', '>=', count),
      check('embedding share of CPU time', embeddingShare * 100, '%', '>=', 50),
      check('cores busy on average', coresBusy, 'cores', '>=', 1.5, 2),
    ];
    return { name: 'knowledge-indexing', info, checks };
  });
}

if (isMain(import.meta.url)) await runStandalone(() => runKnowledgeIndexing());
