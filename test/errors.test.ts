import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

type ErrorBody = { error: { code: string; message: string; details?: Array<{ field: string; rule: string }> } };

describe.each(dialects)('error handling (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;

  beforeAll(async () => {
    server = await startTestServer(dialect, { AGENTRY_BODY_LIMIT_BYTES: '4096' });
    http = httpClient(server.url);
  });
  afterAll(() => server.close());

  it('answers unknown routes with a JSON 404', async () => {
    const response = await http.get<ErrorBody>('/api/v1/no-such-thing', { key: server.adminKey });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('route_not_found');
  });

  it('answers OpenAI-shaped errors under /v1', async () => {
    const response = await http.get<{ error: { message: string; type: string; code: string } }>('/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ type: 'not_found_error', code: 'route_not_found' });
  });

  it('names the field and the rule of every validation problem', async () => {
    const response = await http.put<ErrorBody>('/api/v1/accounts', {
      key: server.adminKey,
      body: { name: '', parameters: { auditLogRetentionDays: 0, unknownSetting: true } },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    const fields = response.body.error.details?.map((problem) => `${problem.field}:${problem.rule}`) ?? [];
    expect(fields).toEqual(
      expect.arrayContaining(['body.name:too_small', 'body.parameters.auditLogRetentionDays:too_small', 'body.parameters:unrecognized_keys']),
    );
    expect(response.body.error.message).toContain('body.name');
  });

  it('leaves nothing half-written when a request is rejected', async () => {
    const before = await http.get<{ name: string; parameters: Record<string, unknown> }>('/api/v1/accounts', { key: server.adminKey });
    await http.put('/api/v1/accounts', { key: server.adminKey, body: { name: 'Changed', parameters: { automaticJsonHealing: 'yes' } } });
    const after = await http.get('/api/v1/accounts', { key: server.adminKey });
    expect(after.body).toEqual(before.body);
  });

  it('does not let a tenant change its own balance', async () => {
    const response = await http.put<ErrorBody>('/api/v1/accounts', { key: server.adminKey, body: { balance: 1_000_000 } });
    expect(response.status).toBe(400);
    expect(response.body.error.details?.[0]).toMatchObject({ field: 'body', rule: 'unrecognized_keys' });
    expect(response.body.error.message).toContain('balance');
    const account = await http.get<{ balance: number }>('/api/v1/accounts', { key: server.adminKey });
    expect(account.body.balance).toBe(0);
  });

  it('answers malformed JSON with 400', async () => {
    const response = await http.post<ErrorBody>('/api/v1/accounts/api-key', {
      key: server.adminKey,
      rawBody: '{"label": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('JSON');
  });

  it('answers a body over the limit with 413', async () => {
    const response = await http.post<ErrorBody>('/api/v1/accounts/api-key', {
      key: server.adminKey,
      body: { label: 'x'.repeat(10_000) },
    });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
  });

  it('answers an unsupported content type with 415', async () => {
    const response = await http.post<ErrorBody>('/api/v1/accounts/api-key', {
      key: server.adminKey,
      rawBody: 'label=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(415);
    expect(response.body.error.code).toBe('unsupported_media_type');
  });

  it('never shows a stack trace or SQL to the client', async () => {
    const responses = await Promise.all([
      http.put('/api/v1/accounts', { key: server.adminKey, rawBody: '[1,', headers: { 'content-type': 'application/json' } }),
      http.get('/api/v1/AuditLog?offset=-5', { key: server.adminKey }),
      http.delete('/api/v1/accounts/api-key/%27%20OR%201%3D1--', { key: server.adminKey }),
    ]);
    for (const response of responses) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      const text = JSON.stringify(response.body);
      expect(text).not.toMatch(/\bat .*\.(ts|js):\d+|select |SQLITE|syntax error/i);
    }
  });
});
