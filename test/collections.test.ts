import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorActor } from '../src/platform/actor.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface CollectionView {
  id: string;
  name: string;
  context: string | null;
  createdAt: string;
  updatedAt: string;
  state: { total: number; indexed: number; queued: number; failed: number };
  tags: string[];
}
interface DataSourceCollection {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  documentCount: number;
  indexedDocumentCount: number;
  queuedDocumentCount: number;
  createdAt: string;
  updatedAt: string;
}
type ErrorBody = { error: { code: string; message: string; details?: Array<{ field: string; rule: string }> } };

describe.each(dialects)('collections (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;
  let other: { id: string; key: string };

  beforeAll(async () => {
    server = await startTestServer(dialect);
    http = httpClient(server.url);
    const created = await server.server.container.organizations.create({ name: 'Other knowledge org' });
    other = { id: created.organization.id, key: created.apiKey.secret };
  });
  afterAll(async () => {
    await server?.close();
  });

  const create = (body: unknown, key = server.adminKey) => http.post<{ collectionId: string } & ErrorBody>('/api/v1/collections', { key, body });
  const view = (id: string, key = server.adminKey) => http.get<CollectionView & ErrorBody>(`/api/v1/collections/${id}`, { key });
  const putDocument = (id: string, body: unknown, key = server.adminKey) =>
    http.put<{ documentId: string; state: string } & ErrorBody>(`/api/v1/collections/${id}/documents`, { key, body });
  const organizationHeaders = (key = server.adminKey, orgId = server.orgId) => ({ 'x-api-key': key, 'x-org-id': orgId });

  async function auditOf(id: string): Promise<string[]> {
    const events = await http.get<{ items: Array<{ changeType: string }> }>(`/api/v1/AuditLog?entityType=Collection&entityId=${id}`, { key: server.adminKey });
    return events.body.items.map((item) => item.changeType).sort();
  }

  it('creates, views, lists, edits and deletes a collection, with its document state counts', async () => {
    const created = await create({ collectionName: 'Manuals', context: 'User manuals', tags: 'manuals, support ,manuals,' });
    expect(created.status).toBe(200);
    const id = created.body.collectionId;
    const details = await view(id);
    expect(details.status).toBe(200);
    expect(details.body).toMatchObject({ id, name: 'Manuals', context: 'User manuals', state: { total: 0, indexed: 0, queued: 0 }, tags: ['manuals', 'support'] });

    expect((await putDocument(id, { name: 'a', contents: 'Alpha text.' })).body.state).toBe('Queued');
    expect((await putDocument(id, { name: 'b', contents: 'Beta text.' })).status).toBe(200);
    expect((await view(id)).body.state).toEqual({ total: 2, indexed: 0, queued: 2, failed: 0 });

    const list = await http.get<CollectionView[]>('/api/v1/collections', { key: server.adminKey });
    expect(list.status).toBe(200);
    expect(list.headers.get('x-total-count')).toBe('1');
    expect(list.body).toEqual([(await view(id)).body]);

    const edited = await http.put<{ message: string }>(`/api/v1/collections/${id}`, { key: server.adminKey, body: { collectionName: 'Product manuals', tags: ['a', 'b'] } });
    expect(edited.status).toBe(200);
    expect((await view(id)).body).toMatchObject({ name: 'Product manuals', context: 'User manuals', tags: ['a', 'b'] });
    const cleared = await http.put(`/api/v1/collections/${id}`, { key: server.adminKey, body: { context: null, tags: '' } });
    expect(cleared.status).toBe(200);
    expect((await view(id)).body).toMatchObject({ name: 'Product manuals', context: null, tags: [] });

    const deleted = await http.delete<{ message: string }>(`/api/v1/collections/${id}`, { key: server.adminKey });
    expect(deleted.status).toBe(200);
    expect((await view(id)).status).toBe(404);
    expect((await http.get(`/api/v1/collections/${id}/documents`, { key: server.adminKey })).status).toBe(404);
    expect(await auditOf(id)).toEqual(['Created', 'Deleted', 'Updated', 'Updated']);
  });

  it('rejects invalid bodies with 400 naming the field', async () => {
    for (const [body, field] of [
      [{}, 'body.collectionName'],
      [{ collectionName: '   ' }, 'body.collectionName'],
      [{ collectionName: 'x', extra: 1 }, 'body'],
      [{ collectionName: 'x', tags: 5 }, 'body.tags'],
    ] as const) {
      const response = await create(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.message).toContain(field);
    }
  });

  it('resets a collection (documents gone, collection kept) and re-queues every document with vectors-only', async () => {
    const id = (await create({ collectionName: 'Resettable' })).body.collectionId;
    for (const name of ['one', 'two', 'three']) await putDocument(id, { name, contents: `Text of ${name}.` });
    const { database } = server.server.container;
    // Stands in for the future indexing pipeline.
    await database.handle.updateTable('documents').set({ state: 'Indexed', indexed_at: new Date().toISOString() }).where('collection_id', '=', id).execute();
    expect((await view(id)).body.state).toEqual({ total: 3, indexed: 3, queued: 0, failed: 0 });

    const requeued = await http.delete<{ enqueued: number }>(`/api/v1/collections/${id}/vectors-only`, { key: server.adminKey });
    expect(requeued.status).toBe(200);
    expect(requeued.body.enqueued).toBe(3);
    expect((await view(id)).body.state).toEqual({ total: 3, indexed: 0, queued: 3, failed: 0 });

    const reset = await http.delete<{ message: string; removedCount: number }>(`/api/v1/collections/${id}/reset-only`, { key: server.adminKey });
    expect(reset.status).toBe(200);
    expect(reset.body.removedCount).toBe(3);
    expect((await view(id)).body).toMatchObject({ name: 'Resettable', state: { total: 0, indexed: 0, queued: 0 } });
    expect((await http.get<unknown[]>(`/api/v1/collections/${id}/documents`, { key: server.adminKey })).body).toEqual([]);
    const events = await http.get<{ items: Array<{ id: string; changeType: string }> }>(`/api/v1/AuditLog?entityType=Collection&entityId=${id}&changeType=Updated`, {
      key: server.adminKey,
    });
    const detail = await http.get<{ changedProperties: unknown[] }>(`/api/v1/AuditLog/${events.body.items[0]?.id}`, { key: server.adminKey });
    expect(detail.body.changedProperties).toEqual([{ propertyName: 'documents', oldValue: 3, newValue: 0 }]);
  });

  it('serves the same collections as DataSourceCollection through the Organization API', async () => {
    const created = await http.post<DataSourceCollection>('/api/v1/DataSourceCollection', {
      headers: organizationHeaders(),
      body: { name: 'Policies', description: 'HR policies', tags: ['hr'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Policies', description: 'HR policies', tags: ['hr'], documentCount: 0, indexedDocumentCount: 0, queuedDocumentCount: 0 });
    const id = created.body.id;
    await putDocument(id, { name: 'leave', contents: 'Leave policy.' });

    // The Gateway API sees the same collection under its own names.
    expect((await view(id)).body).toMatchObject({ name: 'Policies', context: 'HR policies', tags: ['hr'], state: { total: 1, queued: 1 } });

    const fetched = await http.get<DataSourceCollection>(`/api/v1/DataSourceCollection/${id}`, { headers: organizationHeaders() });
    expect(fetched.body).toMatchObject({ id, documentCount: 1, queuedDocumentCount: 1 });
    const updated = await http.put<DataSourceCollection>(`/api/v1/DataSourceCollection/${id}`, {
      headers: organizationHeaders(),
      body: { ...fetched.body, description: 'Company policies' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Policies', description: 'Company policies', documentCount: 1 });
    expect((await view(id)).body.context).toBe('Company policies');

    const page = await http.get<{ items: DataSourceCollection[]; totalCount: number }>('/api/v1/DataSourceCollection?search=polic', { headers: organizationHeaders() });
    expect(page.body.totalCount).toBe(1);
    expect(page.body.items.map((item) => item.id)).toEqual([id]);
    expect((await http.post<ErrorBody>('/api/v1/DataSourceCollection', { headers: organizationHeaders(), body: { description: 'no name' } })).status).toBe(400);
  });

  it('hides collections from other organizations: 404 by id on every route, absent from their lists', async () => {
    const id = (await create({ collectionName: 'Private' })).body.collectionId;
    await putDocument(id, { name: 'secret', contents: 'Secret text.' });
    const key = other.key;
    const statuses = [
      (await view(id, key)).status,
      (await http.put(`/api/v1/collections/${id}`, { key, body: { collectionName: 'Stolen' } })).status,
      (await http.delete(`/api/v1/collections/${id}/reset-only`, { key })).status,
      (await http.delete(`/api/v1/collections/${id}/vectors-only`, { key })).status,
      (await http.get(`/api/v1/collections/${id}/export.jsonl`, { key })).status,
      (await http.delete(`/api/v1/collections/${id}`, { key })).status,
      (await http.get(`/api/v1/DataSourceCollection/${id}`, { headers: organizationHeaders(key, other.id) })).status,
      (await http.put(`/api/v1/DataSourceCollection/${id}`, { headers: organizationHeaders(key, other.id), body: { name: 'Stolen' } })).status,
    ];
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 404, 404]);
    expect((await http.get<unknown[]>('/api/v1/collections', { key })).body).toEqual([]);
    expect((await http.get<{ totalCount: number }>('/api/v1/DataSourceCollection', { headers: organizationHeaders(key, other.id) })).body.totalCount).toBe(0);
    expect((await view(id)).body).toMatchObject({ name: 'Private', state: { total: 1 } });
  });

  it('refuses agent-scoped keys with 403', async () => {
    const gateway = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: { name: 'Knowing', parameters: { baseAddress: '', modelName: '@groq/m' } },
    });
    const { database, apiKeys } = server.server.container;
    const agentKey = await database.handle
      .transaction()
      .execute((transaction) => apiKeys.issue(transaction, operatorActor(server.orgId, 'test'), { label: 'agent', agentId: gateway.body.aiGatewayId }));
    const id = (await create({ collectionName: 'Org only' })).body.collectionId;
    const key = agentKey.secret;
    const responses = [
      await http.get<ErrorBody>('/api/v1/collections', { key }),
      await create({ collectionName: 'Agent made' }, key),
      await view(id, key),
      await http.delete<ErrorBody>(`/api/v1/collections/${id}/reset-only`, { key }),
      await http.get<ErrorBody>(`/api/v1/collections/${id}/export.jsonl`, { key }),
      await http.get<ErrorBody>('/api/v1/DataSourceCollection', { headers: organizationHeaders(key) }),
    ];
    expect(responses.map((response) => response.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(responses[0]?.body.error.code).toBe('key_scope');
  });

  it('documents the routes in the OpenAPI document', async () => {
    const document = await http.get<{ paths: Record<string, Record<string, { description?: string }>> }>('/openapi.json');
    expect(Object.keys(document.body.paths['/api/v1/collections'] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(document.body.paths['/api/v1/collections/{id}'] ?? {})).toEqual(expect.arrayContaining(['get', 'put', 'delete']));
    expect(document.body.paths['/api/v1/collections/{id}']?.get?.description).toContain('Queued until the indexing pipeline');
    expect(document.body.paths['/api/v1/collections/{id}/reset-only']?.delete).toBeDefined();
    expect(Object.keys(document.body.paths['/api/v1/DataSourceCollection/{id}'] ?? {})).toEqual(expect.arrayContaining(['get', 'put']));
  });
});
