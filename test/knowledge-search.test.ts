import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { waitIndexed } from './support/knowledge-index.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface QueryResult {
  documentId: string;
  documentName: string;
  documentContent: string;
  score: number;
  metadata: Record<string, unknown>;
  referencedDocuments?: { documentId: string; documentContent: string }[];
  collectionId: string;
  reference: string | null;
}
interface DocumentView {
  id: string;
  state: string;
  indexedAt: string | null;
  stateReason: string | null;
}
interface CollectionView {
  state: { total: number; indexed: number; queued: number; failed: number };
  embeddingModel: string;
  embeddingDimensions: number | null;
  chunkSize: number;
}
type ErrorBody = { error: { code: string; message: string } };

/**
 * A small corpus where each search side has something only it can find:
 * a part number no sentence encoder knows, and a paraphrase sharing no word with its query.
 */
const CORPUS = [
  { name: 'parts:gasket', contents: 'Replacement gasket kits ship under catalogue code ZQX-4471 and fit every pump of the 300 series.' },
  // Decoys: codes that look alike to a sentence encoder (it ranks the first above the gasket for "ZQX-4471").
  { name: 'parts:impellers', contents: 'Order form QZX-7144: spare impellers for the 200 series, shipped in boxes of ten.' },
  { name: 'parts:bracket', contents: 'The KXZ-1447 bracket mounts the control panel on walls of brick or concrete.' },
  { name: 'help:credentials', contents: 'If you cannot sign in because you forgot your login credentials, open the account recovery page and follow the emailed link.' },
  { name: 'kitchen:bread', contents: 'Knead the dough for ten minutes, let it rise for an hour in a warm place, then bake it at 220 degrees.' },
  { name: 'travel:trains', contents: 'Night trains from Vienna reach Venice in the morning; couchettes sleep six and private compartments sleep two.' },
  { name: 'garden:tomatoes', contents: 'Tomatoes need full sun, deep watering twice a week and a stake once the first flowers appear.' },
  { name: 'finance:invoices', contents: 'Invoices are due thirty days after issue; late payments incur a fee of two percent per month.' },
  { name: 'manual:1', reference: 'manual.pdf', contents: 'Chapter one: unpacking the espresso machine and placing it on a level surface.' },
  { name: 'manual:2', reference: 'manual.pdf', contents: 'Chapter two: descaling the espresso machine every three months keeps the boiler healthy.' },
  { name: 'manual:3', reference: 'manual.pdf', contents: 'Chapter three: the warranty covers the boiler and pump for two years.' },
];

describe.each(dialects)('knowledge search (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;
  let otherKey: string;
  let collectionId: string;
  let emptyCollectionId: string;
  const ids = new Map<string, string>();

  const query = (body: unknown, key = server.adminKey) => http.post<QueryResult[] & ErrorBody>('/api/v1/query', { key, body });
  const collection = (id: string) => http.get<CollectionView>(`/api/v1/collections/${id}`, { key: server.adminKey });
  const documentView = (id: string) => http.get<DocumentView>(`/api/v1/collections/${collectionId}/documents/${id}`, { key: server.adminKey });


  beforeAll(async () => {
    server = await startTestServer(dialect, { AGENTRY_WORKERS: 'true', AGENTRY_JOB_POLL_INTERVAL_MS: '50' });
    http = httpClient(server.url);
    otherKey = (await server.server.container.organizations.create({ name: 'Other knowledge org' })).apiKey.secret;
    collectionId = (await http.post<{ collectionId: string }>('/api/v1/collections', { key: server.adminKey, body: { collectionName: 'Everything' } })).body.collectionId;
    emptyCollectionId = (await http.post<{ collectionId: string }>('/api/v1/collections', { key: server.adminKey, body: { collectionName: 'Empty' } })).body.collectionId;
    for (const document of CORPUS) {
      const created = await http.put<{ documentId: string }>(`/api/v1/collections/${collectionId}/documents`, { key: server.adminKey, body: document });
      expect(created.status).toBe(200);
      ids.set(document.name, created.body.documentId);
    }
    await waitIndexed(http, collectionId, CORPUS.length, server.adminKey);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it('indexes every document with the built-in model and records the model on the collection', async () => {
    const view = await collection(collectionId);
    expect(view.body).toMatchObject({ state: { total: CORPUS.length, indexed: CORPUS.length, queued: 0, failed: 0 }, embeddingModel: 'local', embeddingDimensions: 512 });
    const document = await documentView(ids.get('parts:gasket')!);
    expect(document.body).toMatchObject({ state: 'Indexed', stateReason: null });
    expect(document.body.indexedAt).not.toBeNull();
  });

  it('finds by keyword what only full-text search can find (a part number)', async () => {
    // Vector similarity alone ranks the look-alike impeller code first; the exact keyword match decides.
    const result = await query({ terms: ['ZQX-4471'], collections: [collectionId], top: 3 });
    expect(result.status).toBe(200);
    expect(result.body[0]).toMatchObject({ documentId: ids.get('parts:gasket'), documentName: 'parts:gasket', collectionId });
    expect(result.body[0]!.documentContent).toContain('ZQX-4471');
  });

  it('finds by meaning what only vector search can find (a paraphrase sharing no word)', async () => {
    // No word of the query (after stop words) occurs in the document: only its meaning matches.
    const result = await query({ terms: ['reset my password'], collections: [collectionId], top: 3 });
    expect(result.status).toBe(200);
    expect(result.body[0]?.documentId).toBe(ids.get('help:credentials'));
  });

  it('shows each ranking alone on request: neither finds both, hybrid finds both', async () => {
    const keywordQuery = { terms: ['ZQX-4471'], collections: [collectionId], top: 1 };
    const meaningQuery = { terms: ['reset my password'], collections: [collectionId], top: 3 };
    expect((await query({ ...keywordQuery, mode: 'fullText' })).body[0]?.documentId).toBe(ids.get('parts:gasket'));
    expect((await query({ ...keywordQuery, mode: 'vector' })).body[0]?.documentId).not.toBe(ids.get('parts:gasket'));
    expect((await query({ ...meaningQuery, mode: 'vector' })).body[0]?.documentId).toBe(ids.get('help:credentials'));
    const textOnly = await query({ ...meaningQuery, mode: 'fullText' });
    expect(textOnly.body.map((hit) => hit.documentId)).not.toContain(ids.get('help:credentials'));
    expect((await query(keywordQuery)).body[0]?.documentId).toBe(ids.get('parts:gasket'));
    expect((await query(meaningQuery)).body[0]?.documentId).toBe(ids.get('help:credentials'));
  });

  it('scores from 0 to 1, best first, and minScore leaves out the weaker results', async () => {
    const all = await query({ terms: ['espresso machine boiler'], collections: [collectionId], top: 9 });
    expect(all.body.length).toBeGreaterThan(2);
    const scores = all.body.map((hit) => hit.score);
    for (const score of scores) expect(score).toBeGreaterThan(0);
    for (const score of scores) expect(score).toBeLessThanOrEqual(1);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const threshold = (scores[0]! + scores[scores.length - 1]!) / 2;
    const filtered = await query({ terms: ['espresso machine boiler'], collections: [collectionId], top: 9, minScore: threshold });
    expect(filtered.body.length).toBeGreaterThan(0);
    expect(filtered.body.length).toBeLessThan(all.body.length);
    for (const hit of filtered.body) expect(hit.score).toBeGreaterThanOrEqual(threshold);
  });

  it('returns the sibling documents sharing a reference when asked', async () => {
    const result = await query({ terms: ['descaling the boiler'], collections: [collectionId], top: 1, includeReferences: true });
    expect(result.body[0]?.documentId).toBe(ids.get('manual:2'));
    const siblings = result.body[0]!.referencedDocuments!.map((document) => document.documentId).sort();
    expect(siblings).toEqual([ids.get('manual:1'), ids.get('manual:3')].sort());
    expect(result.body[0]!.referencedDocuments![0]!.documentContent).toMatch(/^Chapter/);
    const without = await query({ terms: ['descaling the boiler'], collections: [collectionId], top: 1 });
    expect(without.body[0]).not.toHaveProperty('referencedDocuments');
  });

  it('answers [] for a collection with nothing indexed, and 404 for another organization’s collection', async () => {
    const empty = await query({ terms: ['anything'], collections: [emptyCollectionId] });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual([]);
    const foreign = await query({ terms: ['ZQX-4471'], collections: [collectionId] }, otherKey);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toContain(collectionId);
  });

  it('refuses a malformed query naming the field', async () => {
    const result = await query({ terms: [], collections: [collectionId] });
    expect(result.status).toBe(400);
    expect(result.body.error.message).toContain('terms');
    const badScore = await query({ terms: ['x'], collections: [collectionId], minScore: 2 });
    expect(badScore.status).toBe(400);
    expect(badScore.body.error.message).toContain('minScore');
  });

  it('does not re-embed an unchanged document, and re-indexes a changed one', async () => {
    const id = ids.get('garden:tomatoes')!;
    const before = await documentView(id);
    const same = await http.put<{ result: string; state: string }>(`/api/v1/collections/${collectionId}/documents`, {
      key: server.adminKey,
      body: CORPUS.find((document) => document.name === 'garden:tomatoes'),
    });
    expect(same.body).toMatchObject({ result: 'Unchanged', state: 'Indexed' });
    expect((await documentView(id)).body.indexedAt).toBe(before.body.indexedAt);

    const changed = await http.put<{ result: string; state: string }>(`/api/v1/collections/${collectionId}/documents`, {
      key: server.adminKey,
      body: { name: 'garden:tomatoes', contents: 'Cucumbers climb trellises and want rich soil; pick them young for crisp pickles.' },
    });
    expect(changed.body).toMatchObject({ result: 'Updated', state: 'Queued' });
    await waitIndexed(http, collectionId, CORPUS.length, server.adminKey);
    const found = await query({ terms: ['cucumbers trellis pickles'], collections: [collectionId], top: 1 });
    expect(found.body[0]).toMatchObject({ documentId: id });
    expect(found.body[0]!.documentContent).toContain('Cucumbers');
    const stale = await query({ terms: ['tomatoes stake flowers'], collections: [collectionId], top: 9 });
    expect(stale.body.some((hit) => hit.documentContent.includes('Tomatoes'))).toBe(false);
  });

  it('forgets a deleted document at once', async () => {
    const id = ids.get('travel:trains')!;
    expect((await query({ terms: ['night train Vienna Venice'], collections: [collectionId], top: 1 })).body[0]?.documentId).toBe(id);
    const deleted = await http.delete(`/api/v1/collections/${collectionId}/documents/${id}`, { key: server.adminKey });
    expect(deleted.status).toBeLessThan(300);
    const after = await query({ terms: ['night train Vienna Venice'], collections: [collectionId], top: 9 });
    expect(after.body.map((hit) => hit.documentId)).not.toContain(id);
  });
});
