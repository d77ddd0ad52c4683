import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';

/**
 * POST /v1/chat/completions has two ways in (platform/http/direct-routes.ts):
 * its plain shape — exact path, JSON body with a Content-Length, which is
 * what every SDK sends — is served ahead of Fastify's router; any other shape
 * (a chunked body, a query string, a trailing slash) by the Fastify route.
 * Clients must not be able to tell them apart.
 */

const BODY_LIMIT = 64 * 1024;

interface Sent {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

type Shape = 'plain' | 'chunked' | 'query' | 'trailing slash';
const GENERAL_SHAPES: readonly Shape[] = ['chunked', 'query', 'trailing slash'];

describe.each(dialects)('chat completion request shapes (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let http: HttpClient;

  /** `body` is sent as these exact bytes, in the given shape. */
  function post(shape: Shape, body: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
    const path = shape === 'query' ? '/v1/chat/completions?trace=1' : shape === 'trailing slash' ? '/v1/chat/completions/' : '/v1/chat/completions';
    const init: RequestInit & { duplex?: 'half' } = {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}`, ...headers },
      // A stream has no length known in advance, so fetch sends it chunked.
      body: shape === 'chunked' ? new Blob([body]).stream() : body,
      ...(shape === 'chunked' ? { duplex: 'half' } : {}),
      ...(signal ? { signal } : {}),
    };
    return fetch(new URL(path, server.url), init);
  }

  async function send(shape: Shape, body: string, headers: Record<string, string> = {}): Promise<Sent> {
    const response = await post(shape, body, headers);
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  /** What a client can see of a JSON reply, less what differs per call by design. */
  function comparable(sent: Sent): unknown {
    const body = JSON.parse(sent.text) as Record<string, unknown>;
    const { id: _id, created: _created, ...rest } = body;
    return {
      status: sent.status,
      contentType: sent.headers.get('content-type'),
      upstreamModel: sent.headers.get('x-agentry-upstream-model'),
      body: rest,
    };
  }

  beforeAll(async () => {
    upstream = await startScriptedUpstream({ models: ['gpt-test'] });
    server = await startTestServer(dialect, {
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'sk-upstream-shapes',
      AGENTRY_BODY_LIMIT_BYTES: String(BODY_LIMIT),
    });
    http = httpClient(server.url);
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  beforeEach(() => {
    upstream.reset();
  });

  it('answers a completion alike in every shape, forwards the same request and meters each call', async () => {
    const body = JSON.stringify({ model: '@openai/gpt-test', messages: [{ role: 'user', content: 'Hello, shapes' }], temperature: 0.3 });
    const plain = await send('plain', body);
    expect(plain.status, plain.text).toBe(200);
    for (const shape of GENERAL_SHAPES) expect(comparable(await send(shape, body)), shape).toEqual(comparable(plain));

    const forwarded = upstream.requests.map((request) => request.body);
    expect(forwarded).toHaveLength(4);
    for (const request of forwarded) expect(request).toEqual(forwarded[0]);

    // Usage is written in batches, off the response path.
    const metered = async () => {
      const usage = await http.get<{ totals: { requests: number } }>(`/api/v1/usage?model=${encodeURIComponent('@openai/gpt-test')}`, { key: server.adminKey });
      expect(usage.status).toBe(200);
      return usage.body.totals.requests;
    };
    await expect.poll(metered, { timeout: 10_000, interval: 100 }).toBe(4);
  });

  it('streams alike in every shape', async () => {
    const body = JSON.stringify({ model: '@openai/gpt-test', messages: [{ role: 'user', content: 'Stream, shapes' }], stream: true });
    const contentOf = (sent: Sent) =>
      sent.text
        .split('\n\n')
        .filter((frame) => frame.startsWith('data: {'))
        .map((frame) => (JSON.parse(frame.slice(6)) as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta?.content ?? '')
        .join('');
    const plain = await send('plain', body);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(plain.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(contentOf(plain)).not.toBe('');
    const headersOf = (sent: Sent) => ({
      contentType: sent.headers.get('content-type'),
      cacheControl: sent.headers.get('cache-control'),
      upstreamModel: sent.headers.get('x-agentry-upstream-model'),
      correlated: /^\S+$/.test(sent.headers.get('x-correlation-id') ?? ''),
    });
    expect(headersOf(plain).correlated).toBe(true);
    const streamedCalls = async () => {
      const metrics = await http.get<string>('/metrics');
      const line = metrics.body.split('\n').find((entry) => entry.startsWith('agentry_http_requests_total{method="POST",route="/v1/chat/completions",status="200"}'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    for (const shape of GENERAL_SHAPES) {
      const before = await streamedCalls();
      const other = await send(shape, body);
      expect(headersOf(other), shape).toEqual(headersOf(plain));
      expect(contentOf(other), shape).toBe(contentOf(plain));
      // The access line and metrics are written for a stream in every shape.
      await expect.poll(streamedCalls, { timeout: 5_000, interval: 50 }).toBe(before + 1);
    }
  });

  it("stops the provider's stream when the client leaves, in every shape", async () => {
    const body = JSON.stringify({ model: '@openai/gpt-test', messages: [{ role: 'user', content: 'Leave early' }], stream: true });
    for (const shape of ['plain', ...GENERAL_SHAPES] as const) {
      upstream.reset();
      upstream.enqueue({ kind: 'reply', chunks: ['one ', 'two ', 'three ', 'four ', 'five'], delayMs: 300 });
      const leaving = new AbortController();
      const response = await post(shape, body, {}, leaving.signal);
      expect(response.status, shape).toBe(200);
      const reader = response.body!.getReader();
      await reader.read();
      leaving.abort();
      await upstream.waitUntil(() => upstream.lastRequest().aborted, { description: `the provider stream to be closed (${shape})` });
      expect(upstream.lastRequest().completed, shape).toBe(false);
    }
  });

  it.each([
    ['malformed messages', JSON.stringify({ model: '@openai/gpt-test', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 42 }] }), {}],
    ['a body that is not JSON', '{"model":', {}],
    ['an empty body', '', {}],
    ['prototype pollution', '{"model":"@openai/gpt-test","messages":[{"role":"user","content":"hi"}],"__proto__":{"admin":true}}', {}],
    ['a body over the limit', JSON.stringify({ model: '@openai/gpt-test', messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT) }] }), {}],
    ['no credentials', JSON.stringify({ model: '@openai/gpt-test', messages: [{ role: 'user', content: 'hi' }] }), { authorization: '' }],
    ['a wrong key and a body that is not JSON', '{"model":', { authorization: 'Bearer sk-not-a-key' }],
    ['a gateway that does not exist', JSON.stringify({ model: 'no-such-gateway', messages: [{ role: 'user', content: 'hi' }] }), {}],
    ['an unknown connection', JSON.stringify({ model: '@nowhere/gpt-test', messages: [{ role: 'user', content: 'hi' }] }), {}],
  ])('refuses %s alike in every shape', async (_case, body, headers) => {
    const plain = await send('plain', body, headers);
    expect(plain.status).toBeGreaterThanOrEqual(400);
    expect(plain.status).toBeLessThan(500);
    const error = JSON.parse(plain.text) as { error: { message: string; type: string; code: string } };
    expect(Object.keys(error.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    for (const shape of GENERAL_SHAPES) {
      const other = await send(shape, body, headers);
      expect({ status: other.status, body: JSON.parse(other.text) as unknown }, shape).toEqual({ status: plain.status, body: error });
    }
    expect(upstream.requests.filter((request) => request.path.endsWith('/chat/completions'))).toHaveLength(0);
  });

  it('names the offending path of malformed messages in the plain shape', async () => {
    const body = JSON.stringify({ model: '@openai/gpt-test', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 42 }] });
    const sent = await send('plain', body);
    expect(sent.status).toBe(400);
    expect(JSON.parse(sent.text)).toMatchObject({ error: { param: 'messages[2].content', type: 'invalid_request_error' } });
  });

  it('answers the client’s correlation id in every shape, errors included', async () => {
    const good = JSON.stringify({ model: '@openai/gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    for (const shape of ['plain', ...GENERAL_SHAPES] as const) {
      expect((await send(shape, good, { 'x-correlation-id': `ok-${shape.replace(' ', '-')}` })).headers.get('x-correlation-id')).toBe(`ok-${shape.replace(' ', '-')}`);
      expect((await send(shape, '{"model":', { 'x-correlation-id': 'refused-1' })).headers.get('x-correlation-id')).toBe('refused-1');
    }
  });
});
