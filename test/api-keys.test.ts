import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface KeyList {
  apiKeys: Array<{ id: string; label: string; key: string; expiresAt: string | null; usedAt: string | null; createdAt: string }>;
  salt: string;
}

describe.each(dialects)('API keys (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    http = httpClient(server.url);
  });
  afterAll(() => server.close());

  it('creates a random sk- key, shown once, that authenticates at once', async () => {
    const created = await http.post<{ grantKey: string }>('/api/v1/accounts/api-key', {
      key: server.adminKey,
      body: { label: 'crm-integration', duration: 30 },
    });
    expect(created.status).toBe(200);
    expect(created.body.grantKey).toMatch(/^sk-[A-Za-z0-9_-]{43}$/);

    const account = await http.get<{ id: string }>('/api/v1/accounts', { key: created.body.grantKey });
    expect(account.status).toBe(200);
    expect(account.body.id).toBe(server.orgId);
  });

  it('lists keys by their last characters with label, expiry and last use, plus the salt', async () => {
    const created = await http.post<{ grantKey: string }>('/api/v1/accounts/api-key', {
      key: server.adminKey,
      body: { label: 'listed', duration: 10 },
    });
    await http.get('/api/v1/accounts', { key: created.body.grantKey });

    const listing = await http.get<KeyList>('/api/v1/accounts/api-key', { key: server.adminKey });
    expect(listing.status).toBe(200);
    expect(listing.body.salt.length).toBeGreaterThanOrEqual(16);
    const listed = listing.body.apiKeys.find((key) => key.label === 'listed');
    expect(listed?.key).toBe(`...${created.body.grantKey.slice(-6)}`);
    const expiresInDays = (Date.parse(listed?.expiresAt ?? '') - Date.now()) / 86_400_000;
    expect(expiresInDays).toBeGreaterThan(9.9);
    expect(expiresInDays).toBeLessThanOrEqual(10);
    expect(listed?.usedAt).not.toBeNull();
    expect(JSON.stringify(listing.body)).not.toContain(created.body.grantKey);
    expect(JSON.stringify(listing.body)).not.toContain(server.adminKey);
  });

  it('makes keys without a duration (or with 0) that never expire', async () => {
    await http.post('/api/v1/accounts/api-key', { key: server.adminKey, body: { label: 'forever' } });
    await http.post('/api/v1/accounts/api-key', { key: server.adminKey, body: { label: 'forever-zero', duration: 0 } });
    const listing = await http.get<KeyList>('/api/v1/accounts/api-key', { key: server.adminKey });
    const forever = listing.body.apiKeys.filter((key) => key.label.startsWith('forever'));
    expect(forever).toHaveLength(2);
    expect(forever.every((key) => key.expiresAt === null)).toBe(true);
  });

  it('deletes a key, which stops working immediately despite the verification cache', async () => {
    const created = await http.post<{ grantKey: string }>('/api/v1/accounts/api-key', {
      key: server.adminKey,
      body: { label: 'to-delete' },
    });
    const secret = created.body.grantKey;
    expect((await http.get('/api/v1/accounts', { key: secret })).status).toBe(200);
    const listing = await http.get<KeyList>('/api/v1/accounts/api-key', { key: server.adminKey });
    const id = listing.body.apiKeys.find((key) => key.label === 'to-delete')?.id ?? '';

    const deleted = await http.delete(`/api/v1/accounts/api-key/${id}`, { key: server.adminKey });
    expect(deleted.status).toBe(200);
    expect((await http.get('/api/v1/accounts', { key: secret })).status).toBe(401);
    const after = await http.get<KeyList>('/api/v1/accounts/api-key', { key: server.adminKey });
    expect(after.body.apiKeys.some((key) => key.id === id)).toBe(false);
  });

  it('answers 400 for deleting a key that does not exist', async () => {
    const response = await http.delete<{ error: { code: string; message: string } }>(
      '/api/v1/accounts/api-key/01a20000-0000-7000-8000-000000000000',
      { key: server.adminKey },
    );
    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe('API key not found or does not belong to the account.');
  });

  it('rejects a bad create body naming the field and the rule, and writes nothing', async () => {
    const before = await http.get<KeyList>('/api/v1/accounts/api-key', { key: server.adminKey });
    const cases: Array<[unknown, string]> = [
      [{ duration: 5 }, 'body.label'],
      [{ label: '' }, 'body.label'],
      [{ label: 'x', duration: -1 }, 'body.duration'],
      [{ label: 'x', duration: 1.5 }, 'body.duration'],
      [{ label: 'x', scopes: ['all'] }, 'body'],
    ];
    for (const [body, field] of cases) {
      const response = await http.post<{ error: { code: string; message: string; details: Array<{ field: string; rule: string }> } }>(
        '/api/v1/accounts/api-key',
        { key: server.adminKey, body },
      );
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.message).toContain(field);
      expect(response.body.error.details[0]?.rule).toBeTruthy();
    }
    const after = await http.get<KeyList>('/api/v1/accounts/api-key', { key: server.adminKey });
    expect(after.body.apiKeys).toHaveLength(before.body.apiKeys.length);
  });
});
