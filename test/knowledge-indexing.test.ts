import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { type Database, openDatabase } from '../src/platform/db/database.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import {
  type DocumentLine,
  type WaitOptions,
  eventually,
  expectedChunkPositions,
  importDocuments,
  proseDocument,
  storedChunkPositions,
} from './support/knowledge-index.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type ServerProcess, spawnServer } from './support/server-process.js';
import { type TestDatabase, type TestServer, createTestDatabase, startTestServer, testAdminKey } from './support/test-server.js';

interface CollectionState {
  total: number;
  indexed: number;
  queued: number;
  failed: number;
}
interface CollectionView {
  state: CollectionState;
  embeddingModel: string;
  embeddingDimensions: number | null;
  chunkSize: number;
  chunkOverlap: number;
}
interface DocumentView {
  id: string;
  state: string;
  indexedAt: string | null;
  stateReason: string | null;
}
type ErrorBody = { error: { code: string; message: string } };

/** The machine may be shared and the built-in model is CPU-bound: deadlines are generous, and bounded. */
const IN_PROCESS_TEST_MS = 45_000;
/** Polling a child process less often leaves it the CPU for embedding. */
const SLOW_POLL = { timeoutMs: 60_000, intervalMs: 200 };

/** One client for a server, in process or a child: the calls every scenario makes. */
function knowledgeClient(url: string, key: string) {
  const http: HttpClient = httpClient(url);
  const client = {
    http,
    async createCollection(body: Record<string, unknown>): Promise<string> {
      const created = await http.post<{ collectionId: string }>('/api/v1/collections', { key, body });
      expect(created.status).toBe(200);
      return created.body.collectionId;
    },
    async collection(id: string): Promise<CollectionView> {
      return (await http.get<CollectionView>(`/api/v1/collections/${id}`, { key })).body;
    },
    async document(collectionId: string, id: string) {
      return http.get<DocumentView>(`/api/v1/collections/${collectionId}/documents/${id}`, { key });
    },
    /** Document ids by name. */
    async documentIds(collectionId: string): Promise<Map<string, string>> {
      const listed = await http.get<{ id: string; name: string }[]>(`/api/v1/collections/${collectionId}/documents?limit=500`, { key });
      return new Map(listed.body.map((summary) => [summary.name, summary.id]));
    },
    async import(collectionId: string, documents: readonly DocumentLine[]): Promise<void> {
      const imported = await importDocuments(url, key, collectionId, documents);
      expect(imported).toMatchObject({ status: 200, body: { enqueued: documents.length } });
    },
    /** Waits until the collection's view satisfies `done`; the last view is in the timeout message. */
    async waitFor(id: string, done: (view: CollectionView) => boolean, wait: WaitOptions = {}): Promise<CollectionView> {
      let last: CollectionView | undefined;
      return eventually(
        async () => {
          last = await client.collection(id);
          return done(last) ? last : undefined;
        },
        () => `collection ${id} is ${JSON.stringify(last)}`,
        wait,
      );
    },
    /** Each document's contents by id, for comparing stored chunks with what the chunker makes of them. */
    async contentsById(collectionId: string, documents: readonly DocumentLine[]): Promise<Map<string, string>> {
      const ids = await client.documentIds(collectionId);
      return new Map(documents.map((document) => [ids.get(document.name) as string, document.contents]));
    },
  };
  return client;
}

function corpus(prefix: string, count: number, wordCount: (index: number) => number): DocumentLine[] {
  return Array.from({ length: count }, (_, index) => ({ name: `${prefix}-${index}`, contents: proseDocument(index, wordCount(index)) }));
}

/** Small chunks, so short documents (cheap for the built-in model) still need several. */
const SMALL_CHUNKS = { chunkSize: 32, chunkOverlap: 4 };

describe.each(dialects)('knowledge indexing pipeline (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let api: ReturnType<typeof knowledgeClient>;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    server = await startTestServer(dialect, {
      AGENTRY_WORKERS: 'true',
      AGENTRY_JOB_POLL_INTERVAL_MS: '50',
      AGENTRY_INDEX_SWEEP_MS: '500',
      AGENTRY_INDEX_RETRY_MS: '50',
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'sk-upstream-indexing-0001',
    });
    api = knowledgeClient(server.url, server.adminKey);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  const db = () => server.server.container.database.handle;
  const settingsOf = (view: CollectionView) => ({ maxTokens: view.chunkSize, overlapTokens: view.chunkOverlap });
  /** Waits until no index job of the collection is queued or running: every batch it claimed has been written or dropped. */
  const settled = (collectionId: string) => {
    let busy: unknown;
    return eventually(
      async () => {
        const jobs = await db()
          .selectFrom('jobs')
          .select(['id', 'status', 'payload'])
          .where('name', '=', 'knowledge.index-collection')
          .where('status', 'in', ['queued', 'running'])
          .execute();
        // The payload is text on SQLite and jsonb on PostgreSQL.
        busy = jobs.filter((job) => JSON.stringify(job.payload).includes(collectionId));
        return (busy as unknown[]).length > 0 ? undefined : true;
      },
      () => `index jobs of collection ${collectionId} still queued or running: ${JSON.stringify(busy)}`,
    );
  };
  /** The embeddings requests for `model` that arrived after the first `from` requests. */
  const embeddingsRequests = (model: string, from = 0) =>
    upstream.requests.slice(from).filter((request) => request.path === '/v1/embeddings' && (request.body as { model?: string }).model === model);

  it('indexes an imported JSONL file: every document Indexed, with its chunks at positions 0..n-1', async () => {
    const documents = corpus('imported', 30, (index) => 8 + ((index * 7) % 38));
    const id = await api.createCollection({ collectionName: 'Imported', ...SMALL_CHUNKS });
    await api.import(id, documents);
    const view = await api.waitFor(id, (current) => current.state.indexed === 30);
    expect(view).toMatchObject({ state: { total: 30, indexed: 30, queued: 0, failed: 0 }, embeddingModel: 'local', embeddingDimensions: 512 });

    const contents = await api.contentsById(id, documents);
    for (const documentId of contents.keys()) {
      const document = await api.document(id, documentId);
      expect(document.body).toMatchObject({ state: 'Indexed', stateReason: null });
      expect(Date.parse(document.body.indexedAt ?? '')).not.toBeNaN();
    }
    const stored = await storedChunkPositions(db(), id);
    expect(stored).toEqual(expectedChunkPositions(contents, settingsOf(view)));
    // Some documents need several chunks.
    expect(Object.values(stored).some((positions) => positions.length > 1)).toBe(true);
  }, IN_PROCESS_TEST_MS);

  it('writes no chunks for a document deleted while its embeddings were being computed, and indexes the rest of its batch', async () => {
    const model = 'embed-held';
    const id = await api.createCollection({ collectionName: 'Held', embeddingModel: `openai:${model}` });
    upstream.enqueue({ kind: 'slow', firstByteDelayMs: 2_000 }, { route: 'embeddings', model });
    const from = upstream.requests.length;
    // One import, so both documents are claimed, and embedded, together.
    await api.import(id, [
      { name: 'doomed', contents: 'The doomed document mentions a lighthouse keeper.' },
      { name: 'kept', contents: 'The kept document mentions a ferry timetable.' },
    ]);
    await upstream.waitUntil(() => embeddingsRequests(model, from).length > 0, { description: 'the held embeddings request' });
    const [held] = embeddingsRequests(model, from);
    expect(held?.rawBody).toContain('lighthouse keeper');
    expect(held?.rawBody).toContain('ferry timetable');

    const ids = await api.documentIds(id);
    const deleted = await api.http.delete(`/api/v1/collections/${id}/documents/${ids.get('doomed')}`, { key: server.adminKey });
    expect(deleted.status).toBe(200);
    expect(held?.completed).toBe(false);

    const view = await api.waitFor(id, (current) => current.state.indexed === 1);
    expect(view).toMatchObject({ state: { total: 1, indexed: 1, queued: 0, failed: 0 }, embeddingModel: `openai:${model}`, embeddingDimensions: 8 });
    expect(held?.completed).toBe(true);
    expect(Object.keys(await storedChunkPositions(db(), id))).toEqual([ids.get('kept')]);
    const orphans = await db().selectFrom('chunks').select('seq').where('document_id', '=', ids.get('doomed') as string).execute();
    expect(orphans).toEqual([]);
  }, IN_PROCESS_TEST_MS);

  it('discards embeddings of contents replaced meanwhile and indexes the new contents', async () => {
    const model = 'embed-replaced';
    const id = await api.createCollection({ collectionName: 'Replaced', embeddingModel: `openai:${model}` });
    // The new contents' embedding comes back last, so the stale batch is written while they are still Queued.
    upstream.enqueue({ kind: 'slow', firstByteDelayMs: 1_000 }, { route: 'embeddings', model });
    upstream.enqueue({ kind: 'slow', firstByteDelayMs: 2_000 }, { route: 'embeddings', model });
    const from = upstream.requests.length;
    const first = await api.http.put<{ documentId: string }>(`/api/v1/collections/${id}/documents`, {
      key: server.adminKey,
      body: { name: 'notes', contents: 'The first draft talks about copper wire.' },
    });
    await upstream.waitUntil(() => embeddingsRequests(model, from).length > 0, { description: 'the held embeddings request' });
    const second = await api.http.put(`/api/v1/collections/${id}/documents`, {
      key: server.adminKey,
      body: { name: 'notes', contents: 'The second draft talks about glass fibre.' },
    });
    expect(second.body).toMatchObject({ documentId: first.body.documentId, state: 'Queued', result: 'Updated' });

    // The held request's batch is written (or dropped) once it is answered and its job has ended.
    const [held] = embeddingsRequests(model, from);
    await upstream.waitUntil(() => held?.completed === true, { description: 'the held embeddings request to complete' });
    await settled(id);
    await api.waitFor(id, (current) => current.state.indexed === 1);
    const chunks = await db().selectFrom('chunks').select(['content', 'position']).where('collection_id', '=', id).execute();
    expect(chunks).toEqual([{ content: 'The second draft talks about glass fibre.', position: 0 }]);
    expect(embeddingsRequests(model, from).map((request) => request.rawBody.includes('glass fibre'))).toEqual([false, true]);
  }, IN_PROCESS_TEST_MS);

  it('marks a document the provider keeps rejecting Failed without holding up the others, and re-embeds it on request', async () => {
    const model = 'embed-flaky';
    const id = await api.createCollection({ collectionName: 'Flaky', embeddingModel: `openai:${model}` });
    const documents = [
      { name: 'poisoned', contents: 'This POISON pill text is refused by the provider every time.' },
      { name: 'healthy-1', contents: 'A healthy note about mountain trails.' },
      { name: 'healthy-2', contents: 'A healthy note about river ferries.' },
    ];
    // `retry-after: 0` lets the client's own retries of a 500 run without pauses.
    upstream.embeddingsOverride = {
      matches: (text) => text.includes('POISON'),
      step: { kind: 'error', status: 500, message: 'the embedding backend choked', headers: { 'retry-after': '0' } },
    };
    try {
      await api.import(id, documents);
      const failed = await api.waitFor(id, (current) => current.state.failed === 1 && current.state.indexed === 2);
      expect(failed.state).toEqual({ total: 3, indexed: 2, queued: 0, failed: 1 });
    } finally {
      upstream.embeddingsOverride = undefined;
    }
    const ids = await api.documentIds(id);
    const poisoned = await api.document(id, ids.get('poisoned') as string);
    expect(poisoned.body).toMatchObject({ state: 'Failed', indexedAt: null });
    expect(poisoned.body.stateReason).toContain('attempt 3 of 3');
    expect(poisoned.body.stateReason).toContain('the embedding backend choked');
    expect(poisoned.body.stateReason).toContain('500');
    expect(Object.keys(await storedChunkPositions(db(), id)).sort()).toEqual([ids.get('healthy-1'), ids.get('healthy-2')].sort());

    // The provider has recovered: re-queueing the collection indexes the failed document too.
    const requeued = await api.http.delete<{ enqueued: number }>(`/api/v1/collections/${id}/vectors-only`, { key: server.adminKey });
    expect(requeued.body.enqueued).toBe(3);
    const view = await api.waitFor(id, (current) => current.state.indexed === 3);
    expect(view.state).toEqual({ total: 3, indexed: 3, queued: 0, failed: 0 });
    expect((await api.document(id, ids.get('poisoned') as string)).body).toMatchObject({ state: 'Indexed', stateReason: null });
    // Each document's chunks once: the re-embedded ones replaced, not added to.
    expect(await storedChunkPositions(db(), id)).toEqual(expectedChunkPositions(await api.contentsById(id, documents), settingsOf(view)));
  }, IN_PROCESS_TEST_MS);

  it('re-embeds every document with a new embedding model, and refuses an unknown connection or too much overlap', async () => {
    const documents = corpus('switched', 6, (index) => 8 + index * 6);
    const id = await api.createCollection({ collectionName: 'Switched', ...SMALL_CHUNKS });
    await api.import(id, documents);
    const local = await api.waitFor(id, (current) => current.state.indexed === 6);
    expect(local).toMatchObject({ embeddingModel: 'local', embeddingDimensions: 512 });

    const model = 'embed-switched';
    const from = upstream.requests.length;
    const updated = await api.http.put(`/api/v1/collections/${id}`, { key: server.adminKey, body: { embeddingModel: `openai:${model}` } });
    expect(updated.status).toBe(200);
    const switched = await api.waitFor(id, (current) => current.state.indexed === 6 && current.embeddingDimensions !== null);
    expect(switched).toMatchObject({ state: { total: 6, indexed: 6, queued: 0, failed: 0 }, embeddingModel: `openai:${model}`, embeddingDimensions: 8 });

    const embedded = embeddingsRequests(model, from).map((request) => request.rawBody).join('\n');
    for (const document of documents) expect(embedded).toContain(document.contents.slice(0, 40));
    const contents = await api.contentsById(id, documents);
    expect(await storedChunkPositions(db(), id)).toEqual(expectedChunkPositions(contents, settingsOf(switched)));
    // Every vector is the new model's: 8 float32 values.
    const lengths = await db().selectFrom('chunks').select('embedding').where('collection_id', '=', id).execute();
    expect(new Set(lengths.map((row) => row.embedding.length))).toEqual(new Set([8 * 4]));

    const unknown = await api.http.put<ErrorBody>(`/api/v1/collections/${id}`, { key: server.adminKey, body: { embeddingModel: 'nowhere:some-model' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('nowhere');
    const overlap = await api.http.put<ErrorBody>(`/api/v1/collections/${id}`, { key: server.adminKey, body: { chunkSize: 100, chunkOverlap: 50 } });
    expect(overlap.status).toBe(400);
    expect(overlap.body.error.message).toContain('chunkOverlap');
    // Neither refusal changed anything.
    expect(await api.collection(id)).toMatchObject({ embeddingModel: `openai:${model}`, embeddingDimensions: 8, chunkSize: switched.chunkSize });
  }, IN_PROCESS_TEST_MS);
});

describe.each(dialects)('knowledge indexing after a node is killed (%s)', (dialect) => {
  let database: TestDatabase | undefined;
  let observer: Database | undefined;
  const children: ServerProcess[] = [];

  afterAll(async () => {
    for (const child of children) {
      if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
      await child.exited;
    }
    await observer?.close();
    await database?.drop();
  });

  it('resumes the documents the dead node had claimed, each ending with exactly the chunks of one clean run', async () => {
    database = await createTestDatabase(dialect);
    const adminKey = testAdminKey();
    const environment = {
      // The suite's database only: nothing inherited may point elsewhere.
      DATABASE_URL: '',
      AGENTRY_DATABASE_SCHEMA: '',
      ...database.environment,
      AGENTRY_ADMIN_KEY: adminKey,
      AGENTRY_WORKERS: 'true',
      AGENTRY_JOB_POLL_INTERVAL_MS: '50',
      AGENTRY_INDEX_LEASE_MS: '2000',
      AGENTRY_INDEX_SWEEP_MS: '500',
    };
    // Mostly one short chunk each, every tenth document several: a few seconds of the built-in model.
    const documents = corpus('bulk', 200, (index) => (index % 10 === 0 ? 36 : 3 + (index % 5)));

    const first = await spawnServer(environment);
    children.push(first);
    const before = knowledgeClient(first.url, adminKey);
    const id = await before.createCollection({ collectionName: 'Bulk', ...SMALL_CHUNKS });
    await before.import(id, documents);
    const atKill = await before.waitFor(id, (current) => current.state.indexed > 0, SLOW_POLL);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(atKill.state.indexed).toBeLessThan(documents.length);

    observer = await openDatabase(loadConfig(database.environment).database);
    const claimed = await observer.handle
      .selectFrom('documents')
      .select(observer.handle.fn.countAll<number>().as('count'))
      .where('collection_id', '=', id)
      .where('state', '=', 'Queued')
      .where('index_lease_until', 'is not', null)
      .executeTakeFirstOrThrow();

    const second = await spawnServer(environment);
    children.push(second);
    const after = knowledgeClient(second.url, adminKey);
    const view = await after.waitFor(id, (current) => current.state.indexed === documents.length, SLOW_POLL);
    expect(view.state).toEqual({ total: 200, indexed: 200, queued: 0, failed: 0 });

    const states = await observer.handle.selectFrom('documents').select('state').distinct().where('collection_id', '=', id).execute();
    expect(states).toEqual([{ state: 'Indexed' }]);
    const expected = expectedChunkPositions(await after.contentsById(id, documents), { maxTokens: view.chunkSize, overlapTokens: view.chunkOverlap });
    expect(await storedChunkPositions(observer.handle, id)).toEqual(expected);
    const total = await observer.handle
      .selectFrom('chunks')
      .select(observer.handle.fn.countAll<number>().as('count'))
      .where('collection_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(Number(total.count)).toBe(Object.values(expected).reduce((sum, positions) => sum + positions.length, 0));
    // The kill left work behind: documents claimed by the dead node, which only an expired lease could free.
    expect(Number(claimed.count)).toBeGreaterThan(0);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 150_000);
});
