import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface Figures {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cost: number;
  latencyMs: { p50: number | null };
  timeToFirstTokenMs: { p50: number | null };
}
interface Report {
  totals: Figures;
  groups: Array<Figures & { key: string | null }>;
}
interface LineItem {
  sku: string;
  quantity: number;
  unit_price: number;
  amount: number;
}

const PRICES = JSON.stringify({ 'scripted-model': { input: 1, output: 2, cachedInput: 0.5 } });

describe.each(dialects)('usage metering (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let http: HttpClient;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    server = await startTestServer(dialect, {
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'sk-upstream-0001',
      AGENTRY_MODEL_PRICES: PRICES,
    });
    http = httpClient(server.url);
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: server.adminKey, maxRetries: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  async function report(query = ''): Promise<Report> {
    await server.server.container.usageRecorder.flush();
    const response = await http.get<Report>(`/api/v1/usage${query}`, { key: server.adminKey });
    expect(response.status).toBe(200);
    return response.body;
  }

  it('prices each call as line items in generation_context and records it', async () => {
    upstream.enqueue({ kind: 'reply', content: 'Paris.', usage: { prompt_tokens: 1000, completion_tokens: 500, cached_tokens: 400 } });
    const completion = await client.chat.completions.create({ model: '@openai/scripted-model', messages: [{ role: 'user', content: 'Capital of France?' }] });
    const items = (completion as unknown as { generation_context: { generated_usage: LineItem[] } }).generation_context.generated_usage;
    expect(items.map((item) => [item.sku, item.quantity, item.unit_price])).toEqual([
      ['inference.chat_completions.in', 600, 0.000001],
      ['inference.chat_completions.out', 500, 0.000002],
      ['inference.chat_completions.in.cached', 400, 5e-7],
    ]);
    expect(items.reduce((sum, item) => sum + item.amount, 0)).toBeCloseTo(0.0018, 10);

    const usage = await report();
    expect(usage.totals).toMatchObject({ requests: 1, errors: 0, promptTokens: 1000, completionTokens: 500, cachedTokens: 400 });
    expect(usage.totals.cost).toBeCloseTo(0.0018, 10);
    expect(usage.totals.latencyMs.p50).not.toBeNull();
  });

  it('meters streams even when the client did not ask for usage, without showing it the usage chunk', async () => {
    upstream.enqueue({ kind: 'reply', content: 'one two three', usage: { prompt_tokens: 10, completion_tokens: 3 } });
    const stream = await client.chat.completions.create({ model: '@openai/scripted-model', messages: [{ role: 'user', content: 'count' }], stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe('one two three');
    const sent = upstream.lastRequest().body as { stream_options?: { include_usage?: boolean } };
    expect(sent.stream_options?.include_usage).toBe(true);

    upstream.enqueue({ kind: 'reply', content: 'four', usage: { prompt_tokens: 7, completion_tokens: 1 } });
    const withUsage = await client.chat.completions.create({
      model: '@openai/scripted-model',
      messages: [{ role: 'user', content: 'more' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let reported: unknown;
    for await (const chunk of withUsage) if (chunk.usage) reported = chunk.usage;
    expect(reported).toMatchObject({ prompt_tokens: 7, completion_tokens: 1 });

    const usage = await report('?groupBy=model');
    expect(usage.totals).toMatchObject({ requests: 3, promptTokens: 1017, completionTokens: 504 });
    expect(usage.totals.timeToFirstTokenMs.p50).not.toBeNull();
    expect(usage.groups).toEqual([expect.objectContaining({ key: '@openai/scripted-model', requests: 3 })]);
  });

  it('records an abandoned stream as aborted, with the tokens streamed so far', async () => {
    upstream.enqueue({ kind: 'hang', content: 'abcdefgh'.repeat(10), chunkCount: 4, afterChunks: 2 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: '@openai/scripted-model', messages: [{ role: 'user', content: 'tell me' }], stream: true },
      { signal: controller.signal },
    );
    let received = '';
    try {
      for await (const chunk of stream) {
        received += chunk.choices[0]?.delta?.content ?? '';
        if (received.length >= 40) controller.abort();
      }
    } catch {
      // the abort ends the iteration
    }
    await upstream.waitUntil(() => upstream.lastRequest().aborted, { description: 'the provider request to be aborted' });
    const deadline = Date.now() + 5_000;
    let aborted: Report['totals'] | undefined;
    while (Date.now() < deadline) {
      const usage = await report();
      if (usage.totals.requests === 4) {
        aborted = usage.totals;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(aborted?.completionTokens).toBeGreaterThanOrEqual(504 + 10);
  });

  it('deducts cost from an operator-set balance and answers 402 once it is used up', async () => {
    await server.server.container.organizations.changeBalance(server.orgId, { set: 0.001 });
    upstream.enqueue({ kind: 'reply', content: 'costly', usage: { prompt_tokens: 1000, completion_tokens: 0 } });
    await client.chat.completions.create({ model: '@openai/scripted-model', messages: [{ role: 'user', content: 'x' }] });
    await server.server.container.usageRecorder.flush();
    const account = await http.get<{ balance: number; balanceLimited: boolean }>('/api/v1/accounts', { key: server.adminKey });
    expect(account.body.balanceLimited).toBe(true);
    expect(account.body.balance).toBeCloseTo(0, 10);

    const refused = await http.post<{ error: { code: string; type: string } }>('/v1/chat/completions', {
      key: server.adminKey,
      body: { model: '@openai/scripted-model', messages: [{ role: 'user', content: 'x' }] },
    });
    expect(refused.status).toBe(402);
    expect(refused.body.error).toMatchObject({ code: 'balance_exhausted', type: 'insufficient_quota' });
    await server.server.container.organizations.changeBalance(server.orgId, { add: 1 });
    upstream.enqueue({ kind: 'reply', content: 'ok again' });
    expect((await client.chat.completions.create({ model: '@openai/scripted-model', messages: [{ role: 'user', content: 'x' }] })).choices[0]?.message.content).toBe('ok again');
  });

  it('filters and groups by key, keeps organizations apart, and validates its period', async () => {
    const keys = await http.get<{ apiKeys: Array<{ id: string; label: string }> }>('/api/v1/accounts/api-key', { key: server.adminKey });
    const adminKeyId = keys.body.apiKeys.find((key) => key.label === 'admin')?.id;
    const byKey = await report('?groupBy=key');
    expect(byKey.groups.map((group) => group.key)).toEqual([adminKeyId]);
    expect((await report('?keyId=someone-else')).totals.requests).toBe(0);
    expect((await report(`?to=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`)).totals.requests).toBe(0);

    const other = await server.server.container.organizations.create({ name: 'Other' });
    const theirs = await http.get<Report>('/api/v1/usage', { key: other.apiKey.secret });
    expect(theirs.body.totals.requests).toBe(0);

    const bad = await http.get<{ error: { message: string } }>('/api/v1/usage?groupBy=planet', { key: server.adminKey });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('query.groupBy');
    const backwards = await http.get<{ error: { message: string } }>(
      `/api/v1/usage?from=${new Date().toISOString()}&to=${new Date(Date.now() - 1000).toISOString()}`,
      { key: server.adminKey },
    );
    expect(backwards.status).toBe(400);
  });

  // Last: the burst's records would change the totals the tests above read.
  it('stores a burst of calls written as one batch, each call once (73 = chunks of 50, 10, 10, 1, 1, 1)', async () => {
    const calls = 73;
    for (let index = 0; index < calls; index += 1) {
      upstream.enqueue({ kind: 'reply', content: `reply ${index}`, usage: { prompt_tokens: 7, completion_tokens: 3 } });
    }
    await Promise.all(
      Array.from({ length: calls }, () =>
        client.chat.completions.create({ model: '@openai/burst-model', messages: [{ role: 'user', content: 'burst' }] }),
      ),
    );
    const usage = await report('?groupBy=model');
    const burst = usage.groups.find((group) => group.key === '@openai/burst-model');
    expect(burst).toMatchObject({ requests: calls, errors: 0, promptTokens: 7 * calls, completionTokens: 3 * calls });
  });
});
