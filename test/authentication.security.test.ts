import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor } from '../src/platform/actor.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

type ErrorBody = { error: { code: string; message: string } };

describe.each(dialects)('authentication and tenancy (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;
  let otherOrg: { id: string; key: string };

  beforeAll(async () => {
    server = await startTestServer(dialect);
    http = httpClient(server.url);
    const created = await server.server.container.organizations.create({ name: 'Other Corp' });
    otherOrg = { id: created.organization.id, key: created.apiKey.secret };
  });
  afterAll(() => server.close());

  /** Issues a key directly through the service: the API has no route for expired or agent keys yet. */
  async function issueKey(options: { expiresAt?: string; agentId?: string }): Promise<string> {
    const { database, apiKeys } = server.server.container;
    const issued = await database.handle
      .transaction()
      .execute((transaction) =>
        apiKeys.issue(transaction, operatorActor(server.orgId, 'test-setup'), { label: 'setup', ...options }),
      );
    return issued.secret;
  }

  it.each([
    ['Authorization: Bearer', (key: string) => ({ headers: { authorization: `Bearer ${key}` } }), ''],
    ['?api-key=', () => ({}), 'api-key'],
    ['X-Api-Key without X-Org-Id', (key: string) => ({ headers: { 'x-api-key': key } }), ''],
    ['Organization-Secret-Key', (key: string) => ({ headers: { 'organization-secret-key': key } }), ''],
    ['Agent-Secret-Key', (key: string) => ({ headers: { 'agent-secret-key': key } }), ''],
  ])('accepts %s', async (_style, options, query) => {
    const path = query ? `/api/v1/accounts?api-key=${encodeURIComponent(server.adminKey)}` : '/api/v1/accounts';
    const response = await http.get<{ id: string }>(path, options(server.adminKey));
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(server.orgId);
  });

  it('accepts X-Api-Key with the matching X-Org-Id and refuses a different one with 401', async () => {
    const matching = await http.get('/api/v1/AuditLog', { headers: { 'x-api-key': server.adminKey, 'x-org-id': server.orgId } });
    expect(matching.status).toBe(200);
    const mismatched = await http.get<ErrorBody>('/api/v1/AuditLog', {
      headers: { 'x-api-key': server.adminKey, 'x-org-id': otherOrg.id },
    });
    expect(mismatched.status).toBe(401);
    expect(mismatched.body.error.message).toContain('X-Org-Id');
  });

  it('gives 401 for missing, malformed and unknown credentials', async () => {
    const missing = await http.get<ErrorBody>('/api/v1/accounts');
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('missing_credentials');
    const malformed = await http.get<ErrorBody>('/api/v1/accounts', { headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);
    const unknown = await http.get<ErrorBody>('/api/v1/accounts', { key: 'sk-not-a-real-key-00000000000000000000' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('invalid_credentials');
  });

  it('authenticates before reading the body: an anonymous bad body gets 401, not 400', async () => {
    const response = await http.post<ErrorBody>('/api/v1/accounts/api-key', { body: { nonsense: true } });
    expect(response.status).toBe(401);
  });

  it('gives 401 saying the key expired for an expired key', async () => {
    const expired = await issueKey({ expiresAt: new Date(Date.now() - 60_000).toISOString() });
    const response = await http.get<ErrorBody>('/api/v1/accounts', { key: expired });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('key_expired');
    expect(response.body.error.message).toMatch(/expired/i);
  });

  describe('on one kept-alive connection', () => {
    let client: Client;
    let connections: number;
    const countConnection = () => {
      connections += 1;
    };

    beforeAll(() => server.server.app.server.on('connection', countConnection));
    afterAll(() => server.server.app.server.off('connection', countConnection));

    beforeEach(() => {
      client = new Client(server.url);
      connections = 0;
    });
    afterEach(() => client.close());

    async function accountWith(authorization: string): Promise<{ status: number; id?: string; code?: string }> {
      const response = await client.request({ method: 'GET', path: '/api/v1/accounts', headers: { authorization } });
      const body = (await response.body.json()) as { id?: string; error?: { code: string } };
      return { status: response.statusCode, ...(body.id ? { id: body.id } : {}), ...(body.error ? { code: body.error.code } : {}) };
    }

    it('answers each request as its own key, whichever key the connection sent before', async () => {
      expect(await accountWith(`Bearer ${server.adminKey}`)).toEqual({ status: 200, id: server.orgId });
      expect(await accountWith(`Bearer ${server.adminKey}`)).toEqual({ status: 200, id: server.orgId });
      expect(await accountWith(`Bearer ${otherOrg.key}`)).toEqual({ status: 200, id: otherOrg.id });
      expect(await accountWith(`Bearer ${server.adminKey}x`)).toEqual({ status: 401, code: 'invalid_credentials' });
      expect(await accountWith(`Bearer ${server.adminKey}`)).toEqual({ status: 200, id: server.orgId });
      expect(connections).toBe(1);
    });

    it('refuses a key deleted since the connection last sent it', async () => {
      const created = await http.post<{ grantKey: string }>('/api/v1/accounts/api-key', { key: server.adminKey, body: { label: 'kept-alive' } });
      const secret = created.body.grantKey;
      expect(await accountWith(`Bearer ${secret}`)).toEqual({ status: 200, id: server.orgId });
      expect(await accountWith(`Bearer ${secret}`)).toEqual({ status: 200, id: server.orgId });
      const listing = await http.get<{ apiKeys: Array<{ id: string; label: string }> }>('/api/v1/accounts/api-key', { key: server.adminKey });
      const id = listing.body.apiKeys.find((key) => key.label === 'kept-alive')?.id ?? '';
      expect((await http.delete(`/api/v1/accounts/api-key/${id}`, { key: server.adminKey })).status).toBe(200);
      expect(await accountWith(`Bearer ${secret}`)).toEqual({ status: 401, code: 'invalid_credentials' });
      expect(connections).toBe(1);
    });

    it('refuses a key that expired since the connection last sent it', async () => {
      const secret = await issueKey({ expiresAt: new Date(Date.now() + 1_000).toISOString() });
      expect(await accountWith(`Bearer ${secret}`)).toEqual({ status: 200, id: server.orgId });
      await sleep(1_100);
      expect(await accountWith(`Bearer ${secret}`)).toEqual({ status: 401, code: 'key_expired' });
      expect(connections).toBe(1);
    });
  });

  it('gives 403 to an agent-scoped key acting outside its agent', async () => {
    const agentKey = await issueKey({ agentId: '01a20000-0000-7000-8000-00000000a9e1' });
    for (const [method, path] of [
      ['get', '/api/v1/accounts'],
      ['get', '/api/v1/accounts/api-key'],
      ['get', '/api/v1/AuditLog'],
    ] as const) {
      const response = await http[method]<ErrorBody>(path, { headers: { 'agent-secret-key': agentKey } });
      expect(response.status, path).toBe(403);
      expect(response.body.error.code).toBe('key_scope');
    }
    const create = await http.post<ErrorBody>('/api/v1/accounts/api-key', { key: agentKey, body: { label: 'escalate' } });
    expect(create.status).toBe(403);
  });

  it('keeps organizations apart: another org cannot read, change or detect keys and audit events', async () => {
    const mine = await http.get<{ apiKeys: Array<{ id: string }> }>('/api/v1/accounts/api-key', { key: server.adminKey });
    const myKeyId = mine.body.apiKeys[0]?.id ?? '';
    const myAudit = await http.get<{ items: Array<{ id: string }> }>('/api/v1/AuditLog', { key: server.adminKey });
    const myEventId = myAudit.body.items[0]?.id ?? '';
    expect(myKeyId).not.toBe('');
    expect(myEventId).not.toBe('');

    const theirs = await http.get<{ apiKeys: Array<{ id: string }> }>('/api/v1/accounts/api-key', { key: otherOrg.key });
    expect(theirs.body.apiKeys.map((key) => key.id)).not.toContain(myKeyId);

    // Deleting another organization's key reads exactly like deleting a key that does not exist.
    const foreignDelete = await http.delete<ErrorBody>(`/api/v1/accounts/api-key/${myKeyId}`, { key: otherOrg.key });
    const missingDelete = await http.delete<ErrorBody>('/api/v1/accounts/api-key/01a20000-0000-7000-8000-000000000001', {
      key: otherOrg.key,
    });
    expect(foreignDelete.status).toBe(400);
    expect(foreignDelete.body).toEqual(missingDelete.body);
    expect((await http.get('/api/v1/accounts', { key: server.adminKey })).status).toBe(200);

    const foreignEvent = await http.get<ErrorBody>(`/api/v1/AuditLog/${myEventId}`, { key: otherOrg.key });
    expect(foreignEvent.status).toBe(404);
    const theirAudit = await http.get<{ items: Array<{ id: string }> }>('/api/v1/AuditLog?limit=500', { key: otherOrg.key });
    expect(theirAudit.body.items.map((event) => event.id)).not.toContain(myEventId);

    const account = await http.get<{ id: string; name: string }>('/api/v1/accounts', { key: otherOrg.key });
    expect(account.body).toMatchObject({ id: otherOrg.id, name: 'Other Corp' });
  });
});
