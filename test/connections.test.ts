import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface ConnectionView {
  id: string;
  name: string;
  type: string;
  scope: 'Organization' | 'System';
  isDefault: boolean;
  accessMode: string;
  baseUrl: string | null;
  hasCredentials: boolean;
  models: string[];
  timeoutMs: number;
  disabled: boolean;
}
interface Page {
  items: ConnectionView[];
  totalCount: number;
}
type ErrorBody = { error: { code: string; message: string; details?: Array<{ field: string; rule: string }> } };

const TENANT_KEY = 'sk-tenant-provider-secret-4242';

describe.each(dialects)('connections (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let http: HttpClient;
  let other: { key: string };

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    server = await startTestServer(dialect, {
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'sk-operator-secret-0001',
      AGENTRY_OUTBOUND_ALLOW: '127.0.0.0/8',
    });
    http = httpClient(server.url);
    const created = await server.server.container.organizations.create({ name: 'Other' });
    other = { key: created.apiKey.secret };
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  async function create(body: Record<string, unknown>) {
    return http.post<ConnectionView & ErrorBody>('/api/v1/Connection', {
      headers: { 'x-api-key': server.adminKey, 'x-org-id': server.orgId },
      body,
    });
  }

  it('creates a connection whose key is encrypted at rest and never returned', async () => {
    const response = await create({ name: 'mine', type: 'OpenAiCompatible', baseUrl: upstream.url, apiKey: TENANT_KEY, models: ['m1', 'm2'] });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name: 'mine', scope: 'Organization', hasCredentials: true, accessMode: 'Shared', models: ['m1', 'm2'] });
    expect(JSON.stringify(response.body)).not.toContain(TENANT_KEY);

    const fetched = await http.get<ConnectionView>(`/api/v1/Connection/${response.body.id}`, { key: server.adminKey });
    expect(JSON.stringify(fetched.body)).not.toContain(TENANT_KEY);
    const row = await server.server.container.database.handle
      .selectFrom('connections')
      .select('credentials')
      .where('id', '=', response.body.id)
      .executeTakeFirstOrThrow();
    expect(row.credentials).toMatch(/^v1:/);
    expect(row.credentials).not.toContain(TENANT_KEY);

    const audit = await http.get<{ items: Array<{ id: string }> }>(`/api/v1/AuditLog?entityType=Connection&entityId=${response.body.id}`, {
      key: server.adminKey,
    });
    const detail = await http.get(`/api/v1/AuditLog/${audit.body.items[0]?.id}`, { key: server.adminKey });
    expect(JSON.stringify(detail.body)).toContain('"propertyName":"apiKey"');
    expect(JSON.stringify(detail.body)).not.toContain(TENANT_KEY);
  });

  it('lists its own connections with the operator’s read-only ones, filtered by search, scope and type', async () => {
    const all = await http.get<Page>('/api/v1/Connection', { key: server.adminKey });
    expect(all.body.items.map((item) => `${item.name}:${item.scope}`)).toEqual(expect.arrayContaining(['openai:System', 'mine:Organization']));
    const system = all.body.items.find((item) => item.name === 'openai');
    expect(system).toMatchObject({ type: 'OpenAiCompatible', hasCredentials: true, baseUrl: upstream.url });
    expect(JSON.stringify(all.body)).not.toContain('sk-operator-secret-0001');

    expect((await http.get<Page>('/api/v1/Connection?scope=System', { key: server.adminKey })).body.items.map((item) => item.name)).toEqual(['openai']);
    expect((await http.get<Page>('/api/v1/Connection?search=MIN', { key: server.adminKey })).body.items.map((item) => item.name)).toEqual(['mine']);
    expect((await http.get<Page>('/api/v1/Connection?type=Anthropic', { key: server.adminKey })).body.totalCount).toBe(0);
    const bad = await http.get<ErrorBody>('/api/v1/Connection?type=Cohere', { key: server.adminKey });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('query.type');
  });

  it('rejects bad connections naming the field, and reserved or duplicate names', async () => {
    const badName = await create({ name: 'Has Spaces', type: 'OpenAiCompatible', baseUrl: upstream.url });
    expect(badName.status).toBe(400);
    expect(badName.body.error.message).toContain('body.name');
    const noBase = await create({ name: 'nobase', type: 'OpenAiCompatible' });
    expect(noBase.status).toBe(400);
    expect(noBase.body.error.details?.[0]).toMatchObject({ field: 'body.baseUrl', rule: 'required' });
    const reserved = await create({ name: 'openai', type: 'OpenAiCompatible', baseUrl: upstream.url });
    expect(reserved.status).toBe(400);
    expect(reserved.body.error.details?.[0]).toMatchObject({ field: 'body.name', rule: 'reserved' });
    const duplicate = await create({ name: 'mine', type: 'OpenAiCompatible', baseUrl: upstream.url });
    expect(duplicate.status).toBe(409);
    const badScheme = await create({ name: 'ftp', type: 'OpenAiCompatible', baseUrl: 'ftp://example.com' });
    expect(badScheme.status).toBe(400);
    expect(badScheme.body.error.message).toContain('body.baseUrl');
  });

  it('refuses base URLs on private or metadata addresses that the operator has not allowed', async () => {
    const metadata = await create({ name: 'imds', type: 'OpenAiCompatible', baseUrl: 'http://169.254.169.254/latest' });
    expect(metadata.status).toBe(403);
    expect(metadata.body.error.code).toBe('outbound_address_refused');
    expect(metadata.body.error.message).toContain('AGENTRY_OUTBOUND_ALLOW');
    const privateRange = await create({ name: 'lan', type: 'OpenAiCompatible', baseUrl: 'http://10.1.2.3:8000/v1' });
    expect(privateRange.status).toBe(403);
    const names = (await http.get<Page>('/api/v1/Connection', { key: server.adminKey })).body.items.map((item) => item.name);
    expect(names).not.toContain('imds');
    expect(names).not.toContain('lan');
  });

  it('updates the fields sent, keeps one default, and removes a key with null', async () => {
    const second = await create({ name: 'second', type: 'OpenAiCompatible', baseUrl: upstream.url, apiKey: 'sk-second-0000001', isDefault: true });
    const third = await create({ name: 'third', type: 'OpenAiCompatible', baseUrl: upstream.url, isDefault: true });
    expect((await http.get<ConnectionView>(`/api/v1/Connection/${second.body.id}`, { key: server.adminKey })).body.isDefault).toBe(false);
    expect(third.body.isDefault).toBe(true);

    const updated = await http.put<ConnectionView>(`/api/v1/Connection/${second.body.id}`, {
      key: server.adminKey,
      body: { apiKey: null, models: ['x'], accessMode: 'Restricted' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'second', hasCredentials: false, models: ['x'], accessMode: 'Restricted', baseUrl: upstream.url });
  });

  it('keeps operator connections read-only and other organizations’ connections invisible', async () => {
    const list = await http.get<Page>('/api/v1/Connection', { key: server.adminKey });
    const system = list.body.items.find((item) => item.name === 'openai');
    const mine = list.body.items.find((item) => item.name === 'mine');
    const put = await http.put<ErrorBody>(`/api/v1/Connection/${system?.id}`, { key: server.adminKey, body: { models: ['x'] } });
    expect(put.status).toBe(403);
    expect(put.body.error.code).toBe('connection_read_only');

    expect((await http.get(`/api/v1/Connection/${mine?.id}`, { key: other.key })).status).toBe(404);
    expect((await http.put(`/api/v1/Connection/${mine?.id}`, { key: other.key, body: { models: [] } })).status).toBe(404);
    expect((await http.delete(`/api/v1/Connection/${mine?.id}`, { key: other.key })).status).toBe(404);
    const theirs = await http.get<Page>('/api/v1/Connection', { key: other.key });
    expect(theirs.body.items.map((item) => item.name)).toEqual(['openai']);
    expect((await http.get(`/api/v1/Connection/${mine?.id}`, { key: server.adminKey })).status).toBe(200);
  });

  it('shows governance: a disabled type is flagged in the listing', async () => {
    await http.put('/api/v1/accounts', { key: server.adminKey, body: { parameters: { disabledConnectionTypes: ['OpenAiCompatible'] } } });
    const list = await http.get<Page>('/api/v1/Connection', { key: server.adminKey });
    expect(list.body.items.every((item) => item.disabled)).toBe(true);
    const badType = await http.put<ErrorBody>('/api/v1/accounts', { key: server.adminKey, body: { parameters: { disabledConnectionTypes: ['Telepathy'] } } });
    expect(badType.status).toBe(400);
    expect(badType.body.error.message).toContain('disabledConnectionTypes');
    await http.put('/api/v1/accounts', { key: server.adminKey, body: { parameters: { disabledConnectionTypes: [] } } });
    expect((await http.get<Page>('/api/v1/Connection', { key: server.adminKey })).body.items.some((item) => item.disabled)).toBe(false);
  });

  it('deletes a connection', async () => {
    const created = await create({ name: 'doomed', type: 'OpenAiCompatible', baseUrl: upstream.url });
    expect((await http.delete(`/api/v1/Connection/${created.body.id}`, { key: server.adminKey })).status).toBe(200);
    expect((await http.get(`/api/v1/Connection/${created.body.id}`, { key: server.adminKey })).status).toBe(404);
  });
});
