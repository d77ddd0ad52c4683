import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorActor } from '../src/platform/actor.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface DocumentSummary {
  id: string;
  updatedAt: string;
  name: string;
  reference: string | null;
  tags: string[];
  contentsPreview: string;
  indexState: string;
}
interface DocumentView {
  id: string;
  name: string;
  state: string;
  contents: string;
  reference: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  indexedAt: string | null;
  characterCount: number;
  wordCount: number;
  approximateTokenCount: number;
  metadata: Record<string, unknown>;
}
interface UpsertResult {
  documentId: string;
  state: string;
  result: string;
}
interface ImportResult {
  enqueued: number;
  skipped: number;
  created: number;
  updated: number;
  invalid: number;
  invalidLines: LineProblem[];
}
interface LineProblem {
  line: number;
  field: string;
  rule: string;
  message: string;
}
type ErrorBody = { error: { code: string; message: string; details?: { invalidLineCount?: number; lines?: LineProblem[] } } };

function jsonl(...lines: unknown[]): string {
  return lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n');
}

describe.each(dialects)('documents (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;
  let other: { key: string };
  let collectionId: string;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    http = httpClient(server.url);
    const created = await server.server.container.organizations.create({ name: 'Other documents org' });
    other = { key: created.apiKey.secret };
    collectionId = (await http.post<{ collectionId: string }>('/api/v1/collections', { key: server.adminKey, body: { collectionName: 'Docs' } })).body.collectionId;
  });
  afterAll(async () => {
    await server?.close();
  });

  const base = () => `/api/v1/collections/${collectionId}/documents`;
  const put = (body: unknown, key = server.adminKey, path = base()) => http.put<UpsertResult & ErrorBody>(path, { key, body });
  const view = (id: string, key = server.adminKey) => http.get<DocumentView & ErrorBody>(`${base()}/${id}`, { key });
  const browse = (query = '', key = server.adminKey) => http.get<DocumentSummary[] & ErrorBody>(`${base()}${query}`, { key });
  const markIndexed = (id: string) =>
    server.server.container.database.handle.updateTable('documents').set({ state: 'Indexed', indexed_at: new Date().toISOString() }).where('id', '=', id).execute();

  async function importFile(content: string, options: { key?: string; field?: string; collection?: string } = {}) {
    const form = new FormData();
    form.append(options.field ?? 'documents', new Blob([content], { type: 'application/jsonl' }), 'documents.jsonl');
    const response = await fetch(`${server.url}/api/v1/collections/${options.collection ?? collectionId}/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.key ?? server.adminKey}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as ImportResult & ErrorBody };
  }

  it('creates a document with PUT and shows its fields and counts', async () => {
    const contents = 'To reset the X200, hold the power button for ten seconds. Café ☕';
    const created = await put({ name: 'x200:1', contents, reference: 'x200.pdf', tags: ['x200', 'reset'], metadata: { page: 1, section: { title: 'Reset' } } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ state: 'Queued', result: 'Created' });
    const document = await view(created.body.documentId);
    expect(document.status).toBe(200);
    expect(document.body).toEqual({
      id: created.body.documentId,
      name: 'x200:1',
      state: 'Queued',
      contents,
      reference: 'x200.pdf',
      tags: ['x200', 'reset'],
      createdAt: expect.any(String),
      updatedAt: document.body.createdAt,
      indexedAt: null,
      stateReason: null,
      characterCount: 64,
      wordCount: 13,
      approximateTokenCount: 16,
      metadata: { page: 1, section: { title: 'Reset' } },
    });
  });

  it('leaves an unchanged document alone and re-queues one whose contents change', async () => {
    const body = { name: 'upsert', contents: 'First version.', tags: ['v'], metadata: { b: 1, a: 2 } };
    const created = await put(body);
    const id = created.body.documentId;
    await markIndexed(id);
    const indexed = (await view(id)).body;
    expect(indexed.state).toBe('Indexed');

    // Same contents (key order of metadata aside): nothing is written, the index stays.
    const same = await put({ ...body, metadata: { a: 2, b: 1 } });
    expect(same.body).toEqual({ documentId: id, state: 'Indexed', result: 'Unchanged' });
    expect((await view(id)).body).toEqual(indexed);

    // Only the tags change: updated in place, still Indexed.
    const retagged = await put({ ...body, tags: ['v', 'w'] });
    expect(retagged.body).toEqual({ documentId: id, state: 'Indexed', result: 'Updated' });
    expect((await view(id)).body).toMatchObject({ state: 'Indexed', tags: ['v', 'w'], indexedAt: indexed.indexedAt });

    // New contents: Queued again, indexedAt cleared, counts recomputed, same id and createdAt.
    const changed = await put({ ...body, contents: 'Second, longer version of the text.' });
    expect(changed.body).toEqual({ documentId: id, state: 'Queued', result: 'Updated' });
    expect((await view(id)).body).toMatchObject({ state: 'Queued', indexedAt: null, wordCount: 6, createdAt: indexed.createdAt, tags: ['v'] });
  });

  it('rejects invalid documents with 400 naming the field', async () => {
    for (const [body, field] of [
      [{ name: 'n' }, 'body.contents'],
      [{ contents: 'c' }, 'body.name'],
      [{ name: 'n', contents: '   ' }, 'body.contents'],
      [{ name: 'n', contents: 'c', tags: ['has "quote"'] }, 'body.tags.0'],
      [{ name: 'n', contents: 'c', metadata: [1] }, 'body.metadata'],
      [{ name: 'n', contents: 'c', extra: true }, 'body'],
    ] as const) {
      const response = await put(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.message).toContain(field);
    }
  });

  it('imports a JSONL file: new documents enqueued, unchanged ones skipped, changed ones re-queued', async () => {
    const file = `\uFEFF${jsonl(
      { name: 'imp-1', contents: 'One.', tags: ['faq'] },
      '',
      { name: 'imp-2', contents: 'Two.', reference: 'guide.md', tags: ['faq', 'billing'] },
      { name: 'upsert', contents: 'Second, longer version of the text.', tags: ['v'], metadata: { a: 2, b: 1 } },
      { name: 'x200:1', contents: 'Replaced contents.', reference: 'x200.pdf' },
    ).replaceAll('\n', '\r\n')}\r\n`;
    const imported = await importFile(file);
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual({ enqueued: 3, skipped: 1, created: 2, updated: 1, invalid: 0, invalidLines: [] });
    const names = (await browse('?order_by=name_asc')).body.map((document) => `${document.name}:${document.indexState}`);
    expect(names).toEqual(['imp-1:Queued', 'imp-2:Queued', 'upsert:Queued', 'x200:1:Queued']);
  });

  it('skips bad lines, naming each one, and imports the valid lines', async () => {
    const lenient = (await http.post<{ collectionId: string }>('/api/v1/collections', { key: server.adminKey, body: { collectionName: 'Lenient' } })).body.collectionId;
    const file = jsonl(
      { name: 'lenient-fine', contents: 'ok' },
      '{"name": "broken",',
      { name: 'no-contents' },
      '',
      '[1, 2]',
      { name: 'lenient-fine', contents: 'again' },
      { name: 'extra', contents: 'x', color: 'red' },
      { name: 'lenient-second', contents: 'also fine' },
    );
    const response = await importFile(file, { collection: lenient });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ enqueued: 2, created: 2, updated: 0, skipped: 5, invalid: 5 });
    expect(response.body.invalidLines).toEqual([
      { line: 2, field: '', rule: 'json', message: 'is not valid JSON' },
      { line: 3, field: 'contents', rule: 'required', message: 'is required' },
      { line: 5, field: '', rule: 'invalid_type', message: 'must be a JSON object' },
      { line: 6, field: 'name', rule: 'duplicate', message: "'lenient-fine' is already used on line 1" },
      expect.objectContaining({ line: 7, rule: 'unrecognized_keys' }),
    ]);
    const listed = await http.get<DocumentSummary[]>(`/api/v1/collections/${lenient}/documents`, { key: server.adminKey });
    expect(listed.body.map((document) => document.name).sort()).toEqual(['lenient-fine', 'lenient-second']);
  });

  it('writes nothing and answers 400 when no line is valid', async () => {
    const before = (await browse()).body;
    const response = await importFile(jsonl('{"name": "broken",', { name: 'no-contents' }));
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('documents_import_invalid');
    expect(response.body.error.message).toContain('line 1');
    expect(response.body.error.details?.invalidLineCount).toBe(2);
    expect((await browse()).body).toEqual(before);
  });

  it('refuses imports that are not multipart or use another field', async () => {
    expect((await http.post<ErrorBody>(base(), { key: server.adminKey, body: { name: 'x' } })).status).toBe(415);
    const wrongField = await importFile(jsonl({ name: 'x', contents: 'y' }), { field: 'file' });
    expect(wrongField.status).toBe(400);
    expect((await importFile(jsonl({ name: 'x', contents: 'y' }), { collection: '00000000-0000-7000-8000-000000000000' })).status).toBe(404);
  });

  it('filters by tag, name and reference, orders, filters by state and pages', async () => {
    const all = (await browse()).body;
    expect(all.map((document) => document.name)).toEqual(['imp-2', 'imp-1', 'upsert', 'x200:1']);
    expect((await browse()).headers.get('x-total-count')).toBe('4');
    expect((await browse('?order_by=created_at_asc')).body.map((document) => document.name)).toEqual(['x200:1', 'upsert', 'imp-1', 'imp-2']);
    expect((await browse('?order_by=name_desc')).body.map((document) => document.name)).toEqual(['x200:1', 'upsert', 'imp-2', 'imp-1']);

    const filtered = async (filter: string) => (await browse(`?filter=${encodeURIComponent(filter)}`)).body.map((document) => document.name).sort();
    expect(await filtered('-t faq')).toEqual(['imp-1', 'imp-2']);
    expect(await filtered('-t FAQ -t billing')).toEqual(['imp-2']);
    expect(await filtered('-t fa')).toEqual([]);
    expect(await filtered('-n imp')).toEqual(['imp-1', 'imp-2']);
    expect(await filtered('-t faq -n 1')).toEqual(['imp-1']);
    expect(await filtered('-r guide')).toEqual(['imp-2']);
    expect(await filtered('X200')).toEqual(['x200:1']);
    expect(await filtered('-n 100%')).toEqual([]);
    const missingValue = await browse('?filter=-t');
    expect(missingValue.status).toBe(400);
    expect(missingValue.body.error.message).toContain('filter');

    const imp2 = all.find((document) => document.name === 'imp-2');
    expect(imp2).toMatchObject({ reference: 'guide.md', tags: ['faq', 'billing'], contentsPreview: 'Two.', indexState: 'Queued' });
    await markIndexed(imp2?.id ?? '');
    expect((await browse('?state=indexed')).body.map((document) => document.name)).toEqual(['imp-2']);
    expect((await browse('?state=Queued')).body).toHaveLength(3);
    expect((await browse('?state=done')).status).toBe(400);
    expect((await browse('?order_by=random')).status).toBe(400);

    const page = await browse('?order_by=name_asc&offset=1&limit=2');
    expect(page.body.map((document) => document.name)).toEqual(['imp-2', 'upsert']);
    expect(page.headers.get('x-total-count')).toBe('4');
  });

  it('cuts the preview at 200 characters', async () => {
    const created = await put({ name: 'long', contents: 'é'.repeat(500) });
    const listed = (await browse('?filter=-n%20long')).body;
    expect(listed[0]?.contentsPreview).toBe('é'.repeat(200));
    expect((await view(created.body.documentId)).body).toMatchObject({ characterCount: 500, wordCount: 1, approximateTokenCount: 125 });
  });

  it('exports the collection as JSONL by pages, and the export imports into an empty collection unchanged', async () => {
    const many = Array.from({ length: 230 }, (_, index) => ({ name: `bulk-${index}`, contents: `Bulk document ${index}.`, metadata: { index } }));
    expect((await importFile(jsonl(...many))).body).toMatchObject({ enqueued: 230, skipped: 0 });
    const response = await fetch(`${server.url}/api/v1/collections/${collectionId}/export.jsonl?api-key=${server.adminKey}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const text = await response.text();
    const lines = text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(235);
    expect(lines.find((line) => line.name === 'imp-2')).toEqual({ name: 'imp-2', contents: 'Two.', reference: 'guide.md', tags: ['faq', 'billing'], metadata: {} });

    const copy = (await http.post<{ collectionId: string }>('/api/v1/collections', { key: server.adminKey, body: { collectionName: 'Copy' } })).body.collectionId;
    expect((await importFile(text, { collection: copy })).body).toMatchObject({ enqueued: 235, skipped: 0 });
    const again = await fetch(`${server.url}/api/v1/collections/${copy}/export.jsonl?api-key=${server.adminKey}`);
    expect((await again.text()).split('\n').sort()).toEqual(text.split('\n').sort());
    // Importing it again changes nothing.
    expect((await importFile(text, { collection: copy })).body).toEqual({ enqueued: 0, skipped: 235, created: 0, updated: 0, invalid: 0, invalidLines: [] });
  });

  it('deletes a document; ids of another collection or organization are 404', async () => {
    const created = await put({ name: 'to-delete', contents: 'Bye.' });
    const id = created.body.documentId;
    const otherCollection = (await http.post<{ collectionId: string }>('/api/v1/collections', { key: server.adminKey, body: { collectionName: 'Elsewhere' } })).body
      .collectionId;
    expect((await http.get(`/api/v1/collections/${otherCollection}/documents/${id}`, { key: server.adminKey })).status).toBe(404);
    expect((await http.delete(`/api/v1/collections/${otherCollection}/documents/${id}`, { key: server.adminKey })).status).toBe(404);

    const key = other.key;
    expect((await view(id, key)).status).toBe(404);
    expect((await browse('', key)).status).toBe(404);
    expect((await put({ name: 'intruder', contents: 'x' }, key)).status).toBe(404);
    expect((await http.delete(`${base()}/${id}`, { key })).status).toBe(404);
    expect((await importFile(jsonl({ name: 'intruder', contents: 'x' }), { key })).status).toBe(404);

    const deleted = await http.delete<{ message: string }>(`${base()}/${id}`, { key: server.adminKey });
    expect(deleted.status).toBe(200);
    expect((await view(id)).status).toBe(404);
    expect((await http.delete(`${base()}/${id}`, { key: server.adminKey })).status).toBe(404);
    const events = await http.get<{ items: Array<{ changeType: string }> }>(`/api/v1/AuditLog?entityType=Document&entityId=${id}`, { key: server.adminKey });
    expect(events.body.items.map((event) => event.changeType)).toEqual(['Deleted']);
  });

  it('survives a client that leaves in the middle of an export', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/v1/collections/${collectionId}/export.jsonl`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    await reader?.read();
    controller.abort();
    await reader?.cancel().catch(() => undefined);
    const again = await fetch(`${server.url}/api/v1/collections/${collectionId}/export.jsonl?api-key=${server.adminKey}`);
    expect((await again.text()).split('\n').filter(Boolean)).toHaveLength(235);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const document = await http.get<{ paths: Record<string, Record<string, { description?: string }>> }>('/openapi.json');
    const documents = document.body.paths['/api/v1/collections/{id}/documents'] ?? {};
    expect(Object.keys(documents)).toEqual(expect.arrayContaining(['get', 'post', 'put']));
    expect(documents.post?.description).toContain('is skipped and reported in `invalidLines`');
    expect(documents.get?.description).toContain('-t <tag>');
    expect(Object.keys(document.body.paths['/api/v1/collections/{id}/documents/{documentId}'] ?? {})).toEqual(expect.arrayContaining(['get', 'delete']));
  });

  it('refuses agent-scoped keys with 403', async () => {
    const gateway = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: { name: 'Reader', parameters: { baseAddress: '', modelName: '@groq/m' } },
    });
    const { database, apiKeys } = server.server.container;
    const agentKey = await database.handle
      .transaction()
      .execute((transaction) => apiKeys.issue(transaction, operatorActor(server.orgId, 'test'), { label: 'agent', agentId: gateway.body.aiGatewayId }));
    const key = agentKey.secret;
    const [first] = (await browse()).body;
    const statuses = [
      (await browse('', key)).status,
      (await view(first?.id ?? '', key)).status,
      (await put({ name: 'agent', contents: 'x' }, key)).status,
      (await http.delete(`${base()}/${first?.id ?? ''}`, { key })).status,
      (await importFile(jsonl({ name: 'agent', contents: 'x' }), { key })).status,
    ];
    expect(statuses).toEqual([403, 403, 403, 403, 403]);
    expect((await browse('?filter=agent')).body).toEqual([]);
  });
});
