import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/server.js';
import { type TestDialect, dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';

type OpenAiError = { error: { message: string; type: string; code: string } };

/** Keeps a burst of calls inside one minute window, so a boundary cannot split it. */
async function awayFromMinuteBoundary(): Promise<void> {
  const second = new Date().getUTCSeconds();
  if (second >= 50) await new Promise((resolve) => setTimeout(resolve, (61 - second) * 1000));
}

const redisUrl = process.env.TEST_REDIS_URL || undefined;
/** Counters in the database on every dialect; in Redis too when a server is at hand (the store does not depend on the dialect). */
const cases: Array<[TestDialect, 'database' | 'redis']> = [
  ...dialects.map((dialect): [TestDialect, 'database'] => [dialect, 'database']),
  ...(redisUrl ? [['sqlite', 'redis'] as [TestDialect, 'redis']] : []),
];

describe.each(cases)('rate limits (%s, counters in the %s)', (dialect, counters) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let second: RunningServer;
  let http: HttpClient;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    server = await startTestServer(dialect, {
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'sk-upstream-0001',
      ...(counters === 'redis' && redisUrl ? { REDIS_URL: redisUrl } : {}),
    });
    // A second node on the same database: limits must hold across nodes, not per process.
    second = await startServer(server.config);
    http = httpClient(server.url);
  });
  afterAll(async () => {
    await second?.stop();
    await server?.close();
    await upstream?.close();
  });

  async function createKey(body: Record<string, unknown>): Promise<string> {
    const response = await http.post<{ grantKey: string }>('/api/v1/accounts/api-key', { key: server.adminKey, body });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.grantKey;
  }

  function chat(baseUrl: string, key: string, model = '@openai/scripted-model') {
    return httpClient(baseUrl).post<OpenAiError>('/v1/chat/completions', {
      key,
      body: { model, messages: [{ role: 'user', content: 'hi' }] },
    });
  }

  it('limits a key’s requests per minute across nodes, naming the limit, with Retry-After', async () => {
    const key = await createKey({ label: 'throttled', requestsPerMinute: 2 });
    await awayFromMinuteBoundary();
    expect((await chat(server.url, key)).status).toBe(200);
    expect((await chat(second.url, key)).status).toBe(200);
    const refused = await chat(server.url, key);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
    expect(refused.body.error.message).toContain('requestsPerMinute');
    expect(refused.body.error.message).toContain("'throttled'");
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Other keys are not affected.
    expect((await chat(server.url, server.adminKey)).status).toBe(200);
  });

  it('limits a key’s tokens per day once its calls have used them', async () => {
    const key = await createKey({ label: 'frugal', tokensPerDay: 10 });
    upstream.enqueue({ kind: 'reply', content: 'x', usage: { prompt_tokens: 8, completion_tokens: 5 } });
    expect((await chat(server.url, key)).status).toBe(200);
    const deadline = Date.now() + 5_000;
    let refused: Awaited<ReturnType<typeof chat>> | undefined;
    while (Date.now() < deadline) {
      const response = await chat(server.url, key);
      if (response.status === 429) {
        refused = response;
        break;
      }
    }
    expect(refused?.body.error.message).toContain('tokensPerDay');
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('limits a gateway’s requests per minute whoever calls it', async () => {
    const created = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: { name: 'Limited gateway', parameters: { baseAddress: '', modelName: '@openai/scripted-model', limits: { requestsPerMinute: 1 } } },
    });
    expect(created.status).toBe(200);
    await awayFromMinuteBoundary();
    expect((await chat(server.url, server.adminKey, created.body.aiGatewayId)).status).toBe(200);
    const refused = await chat(second.url, server.adminKey, created.body.aiGatewayId);
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toContain("AI gateway 'Limited gateway'");
  });

  it('shows key limits in the listing and validates them', async () => {
    const listing = await http.get<{ apiKeys: Array<{ label: string; requestsPerMinute: number | null; tokensPerDay: number | null }> }>(
      '/api/v1/accounts/api-key',
      { key: server.adminKey },
    );
    expect(listing.body.apiKeys.find((key) => key.label === 'throttled')).toMatchObject({ requestsPerMinute: 2, tokensPerDay: null });
    const bad = await http.post<{ error: { message: string } }>('/api/v1/accounts/api-key', {
      key: server.adminKey,
      body: { label: 'x', requestsPerMinute: 0 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('body.requestsPerMinute');
  });

  it('keeps its counters where the deployment says: the database, or Redis when REDIS_URL is set', async () => {
    const key = await createKey({ label: `counted-${counters}`, requestsPerMinute: 5 });
    await awayFromMinuteBoundary();
    expect((await chat(server.url, key)).status).toBe(200);
    const rows = await server.server.container.database.handle.selectFrom('rate_counters').select('scope').execute();
    const counted = rows.some((row) => row.scope.includes('requests-per-minute'));
    expect(counted).toBe(counters === 'database');
  });
});
