import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface AuditEvent {
  id: string;
  correlationId: string;
  createdAt: string;
  userId: string | null;
  userName: string | null;
  entityType: string;
  entityId: string;
  changeType: 'Created' | 'Updated' | 'Deleted';
}
interface AuditPage {
  items: AuditEvent[];
  totalCount: number;
  offset: number;
  limit: number;
}
interface AuditDetail extends AuditEvent {
  changedProperties: Array<{ propertyName: string; oldValue: unknown; newValue: unknown }>;
}

describe.each(dialects)('audit log (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;
  let adminKeyId: string;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    http = httpClient(server.url);
    const keys = await http.get<{ apiKeys: Array<{ id: string; label: string }> }>('/api/v1/accounts/api-key', {
      key: server.adminKey,
    });
    adminKeyId = keys.body.apiKeys.find((key) => key.label === 'admin')?.id ?? '';
  });
  afterAll(() => server.close());

  async function latest(filter = ''): Promise<AuditEvent> {
    const page = await http.get<AuditPage>(`/api/v1/AuditLog?limit=1${filter}`, { key: server.adminKey });
    const event = page.body.items[0];
    if (!event) throw new Error('no audit event');
    return event;
  }

  it('records an update with old and new values, the actor and the correlation id sent by the client', async () => {
    const response = await http.put('/api/v1/accounts', {
      key: server.adminKey,
      headers: { 'x-correlation-id': 'crm-sync-42' },
      body: { name: 'Acme Support', parameters: { automaticJsonHealing: true } },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-correlation-id')).toBe('crm-sync-42');

    const event = await latest();
    expect(event).toMatchObject({
      correlationId: 'crm-sync-42',
      userId: adminKeyId,
      userName: 'admin',
      entityType: 'Organization',
      entityId: server.orgId,
      changeType: 'Updated',
    });
    const detail = await http.get<AuditDetail>(`/api/v1/AuditLog/${event.id}`, { key: server.adminKey });
    expect(detail.status).toBe(200);
    expect(detail.body.changedProperties).toEqual([
      { propertyName: 'name', oldValue: 'Default organization', newValue: 'Acme Support' },
      { propertyName: 'parameters.automaticJsonHealing', oldValue: false, newValue: true },
    ]);
  });

  it('generates a correlation id when none is sent and echoes it', async () => {
    const response = await http.post('/api/v1/accounts/api-key', { key: server.adminKey, body: { label: 'audited' } });
    const correlationId = response.headers.get('x-correlation-id');
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const event = await latest('&entityType=ApiKey');
    expect(event).toMatchObject({ correlationId, changeType: 'Created', entityType: 'ApiKey' });
  });

  it('masks secrets: rolling the salt records the change without either value', async () => {
    const before = await http.get<{ salt: string }>('/api/v1/accounts/api-key', { key: server.adminKey });
    expect((await http.post('/api/v1/accounts/roll-salt', { key: server.adminKey })).status).toBe(200);
    const after = await http.get<{ salt: string }>('/api/v1/accounts/api-key', { key: server.adminKey });
    expect(after.body.salt).not.toBe(before.body.salt);

    const event = await latest();
    const detail = await http.get<AuditDetail>(`/api/v1/AuditLog/${event.id}`, { key: server.adminKey });
    expect(detail.body.changedProperties).toEqual([{ propertyName: 'salt', oldValue: '***', newValue: '***' }]);
    expect(JSON.stringify(detail.body)).not.toContain(before.body.salt);
    expect(JSON.stringify(detail.body)).not.toContain(after.body.salt);
  });

  it('records deletions and never the key itself', async () => {
    const created = await http.post<{ grantKey: string }>('/api/v1/accounts/api-key', {
      key: server.adminKey,
      body: { label: 'short-lived' },
    });
    const keys = await http.get<{ apiKeys: Array<{ id: string; label: string }> }>('/api/v1/accounts/api-key', {
      key: server.adminKey,
    });
    const id = keys.body.apiKeys.find((key) => key.label === 'short-lived')?.id ?? '';
    await http.delete(`/api/v1/accounts/api-key/${id}`, { key: server.adminKey });

    const event = await latest('&changeType=Deleted');
    expect(event).toMatchObject({ entityType: 'ApiKey', entityId: id, changeType: 'Deleted' });
    const history = await http.get<AuditPage>(`/api/v1/AuditLog?entityId=${id}`, { key: server.adminKey });
    expect(history.body.items.map((item) => item.changeType)).toEqual(['Deleted', 'Created']);
    for (const item of history.body.items) {
      const detail = await http.get<AuditDetail>(`/api/v1/AuditLog/${item.id}`, { key: server.adminKey });
      expect(JSON.stringify(detail.body)).not.toContain(created.body.grantKey);
    }
  });

  it('filters by change type, entity type, user and date range, newest first, with offset/limit paging', async () => {
    const all = await http.get<AuditPage>('/api/v1/AuditLog?limit=500', { key: server.adminKey });
    expect(all.body.totalCount).toBe(all.body.items.length);
    const times = all.body.items.map((item) => item.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    const updates = await http.get<AuditPage>('/api/v1/AuditLog?changeType=Updated&limit=500', { key: server.adminKey });
    expect(updates.body.items.length).toBeGreaterThan(0);
    expect(updates.body.items.every((item) => item.changeType === 'Updated')).toBe(true);

    const byUser = await http.get<AuditPage>(`/api/v1/AuditLog?userId=${adminKeyId}&limit=500`, { key: server.adminKey });
    expect(byUser.body.items.every((item) => item.userId === adminKeyId)).toBe(true);
    // The organization and its first key were created by the operator, not by a key.
    expect(byUser.body.totalCount).toBeLessThan(all.body.totalCount);

    const future = await http.get<AuditPage>(`/api/v1/AuditLog?from=${new Date(Date.now() + 60_000).toISOString()}`, {
      key: server.adminKey,
    });
    expect(future.body.totalCount).toBe(0);
    const past = await http.get<AuditPage>(`/api/v1/AuditLog?to=${new Date(Date.now() + 60_000).toISOString()}&limit=500`, {
      key: server.adminKey,
    });
    expect(past.body.totalCount).toBe(all.body.totalCount);

    const page2 = await http.get<AuditPage>('/api/v1/AuditLog?offset=1&limit=2', { key: server.adminKey });
    expect(page2.body.items.map((item) => item.id)).toEqual(all.body.items.slice(1, 3).map((item) => item.id));
    expect(page2.body).toMatchObject({ offset: 1, limit: 2, totalCount: all.body.totalCount });
  });

  it('rejects bad filters naming the parameter, and answers 404 for an unknown event', async () => {
    const badType = await http.get<{ error: { message: string } }>('/api/v1/AuditLog?changeType=Renamed', { key: server.adminKey });
    expect(badType.status).toBe(400);
    expect(badType.body.error.message).toContain('query.changeType');
    const badDate = await http.get<{ error: { message: string } }>('/api/v1/AuditLog?from=yesterday', { key: server.adminKey });
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.message).toContain('query.from');
    const badLimit = await http.get<{ error: { message: string } }>('/api/v1/AuditLog?limit=0', { key: server.adminKey });
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error.message).toContain('query.limit');
    const missing = await http.get('/api/v1/AuditLog/01a20000-0000-7000-8000-000000000000', { key: server.adminKey });
    expect(missing.status).toBe(404);
  });
});
