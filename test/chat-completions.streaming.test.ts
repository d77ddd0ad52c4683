import OpenAI, { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';
import { collect, contentOf } from './support/openai-fixtures.js';

/** Bounds every raw request, so a stream that never ends fails the test instead of hanging it. */
const REQUEST_TIMEOUT_MS = 10_000;
/** AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES here: it bounds what tenant connections (slowpoke) may send. */
const TENANT_RESPONSE_LIMIT = 16_384;

/** The blank-line separated events of an SSE body, comments included. */
function eventsOf(body: string): string[] {
  return body.split('\n\n').filter((event) => event !== '');
}

/** The JSON payloads of the `data:` events, without `[DONE]`. */
function payloadsOf(body: string): unknown[] {
  return eventsOf(body)
    .filter((event) => event.startsWith('data: ') && event !== 'data: [DONE]')
    .map((event) => JSON.parse(event.slice('data: '.length)) as unknown);
}

function chunkContent(payloads: readonly unknown[]): string {
  return (payloads as ChatCompletionChunk[]).map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join('');
}

describe.each(dialects)('chat completions streaming (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let openai: OpenAI;

  function postRaw(body: unknown, options: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    return fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: options.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  }

  const streamed = (content: string) => ({ model: '@openai/gpt-test', messages: [{ role: 'user', content }], stream: true });

  beforeAll(async () => {
    upstream = await startScriptedUpstream({ models: ['gpt-test'] });
    server = await startTestServer(dialect, {
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'sk-upstream-secret-0001',
      AGENTRY_OUTBOUND_ALLOW: '127.0.0.0/8',
      AGENTRY_SSE_PING_INTERVAL_MS: '100',
      AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES: String(TENANT_RESPONSE_LIMIT),
    });
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: server.adminKey, maxRetries: 0, timeout: REQUEST_TIMEOUT_MS });
    const created = await httpClient(server.url).post('/api/v1/Connection', {
      key: server.adminKey,
      body: { name: 'slowpoke', type: 'OpenAiCompatible', baseUrl: upstream.url, apiKey: 'tenant-credential-slow', models: ['gpt-test'], timeoutMs: 1_000 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });
  beforeEach(() => upstream.reset());

  describe('relaying', () => {
    it("gives the openai client deltas that concatenate to the model's content", async () => {
      upstream.enqueue({ kind: 'reply', chunks: ['Bonjour', ', le ', 'monde'] });
      const stream = await openai.chat.completions.create({
        model: '@openai/gpt-test',
        messages: [{ role: 'user', content: 'Greet the world' }],
        stream: true,
      });
      const { items, error } = await collect(stream);
      expect(error).toBeUndefined();
      expect(items.map((chunk) => chunk.choices[0]?.delta.content).filter(Boolean)).toEqual(['Bonjour', ', le ', 'monde']);
      expect(contentOf(items)).toBe('Bonjour, le monde');
      expect(items.at(-1)?.choices[0]?.finish_reason).toBe('stop');
      // Chunks name the model the client asked for, as non-streamed replies do.
      expect(new Set(items.map((chunk) => chunk.model))).toEqual(new Set(['@openai/gpt-test']));
      // The gateway may ask the provider for more (usage, for metering), but the client's request goes through.
      expect(upstream.lastRequest().body).toMatchObject({ model: 'gpt-test', messages: [{ role: 'user', content: 'Greet the world' }], stream: true });
      // A client that did not ask for usage gets no usage-only chunk, whatever the gateway asked the provider for.
      expect(items.every((chunk) => chunk.choices.length === 1)).toBe(true);
      expect(upstream.lastRequest().completed).toBe(true);
    });

    it('delivers the final usage chunk when include_usage is asked for', async () => {
      upstream.enqueue({ kind: 'reply', content: 'Counted reply', usage: { prompt_tokens: 11, completion_tokens: 3, cached_tokens: 4 } });
      const stream = await openai.chat.completions.create({
        model: '@openai/gpt-test',
        messages: [{ role: 'user', content: 'Count me' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const { items, error } = await collect(stream);
      expect(error).toBeUndefined();
      expect(contentOf(items)).toBe('Counted reply');
      const usageChunk = items.at(-1);
      expect(usageChunk?.choices).toEqual([]);
      expect(usageChunk?.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 3, total_tokens: 14, prompt_tokens_details: { cached_tokens: 4 } });
      expect(upstream.lastRequest().body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    });

    it('answers raw HTTP with text/event-stream data events ending in data: [DONE]', async () => {
      upstream.enqueue({ kind: 'reply', content: 'abcdef', chunkCount: 2 });
      const response = await postRaw(streamed('x'));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(response.headers.get('cache-control')).toContain('no-cache');
      expect(response.headers.get('x-accel-buffering')).toBe('no');
      const body = await response.text();
      expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
      expect(eventsOf(body).every((event) => event.startsWith('data: ') || event.startsWith(':'))).toBe(true);
      expect(chunkContent(payloadsOf(body))).toBe('abcdef');
    });
  });

  describe('keep-alive', () => {
    it('sends : ping comments while a slow provider is silent, without disturbing the data', async () => {
      upstream.enqueue({ kind: 'reply', content: 'slow and steady', chunkCount: 2, delayMs: 300 });
      const response = await postRaw(streamed('take your time'));
      expect(response.status).toBe(200);
      const body = await response.text();
      const pings = eventsOf(body).filter((event) => event === ': ping');
      expect(pings.length).toBeGreaterThanOrEqual(2);
      expect(chunkContent(payloadsOf(body))).toBe('slow and steady');
      expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    });

    it('sends no ping when the request says Sse-Stream-Options: no-ping', async () => {
      upstream.enqueue({ kind: 'reply', content: 'slow and quiet', chunkCount: 2, delayMs: 300 });
      const response = await postRaw(streamed('take your time'), { headers: { 'sse-stream-options': 'no-ping' } });
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(body).not.toContain(': ping');
      expect(eventsOf(body).every((event) => event.startsWith('data: '))).toBe(true);
      expect(chunkContent(payloadsOf(body))).toBe('slow and quiet');
    });
  });

  describe('client disconnect', () => {
    it('aborts the provider request when a non-streamed client goes away', async () => {
      upstream.enqueue({ kind: 'hang' });
      const controller = new AbortController();
      const pending = postRaw({ model: '@openai/gpt-test', messages: [{ role: 'user', content: 'x' }] }, { signal: controller.signal }).catch(
        (error: unknown) => error,
      );
      const [request] = await upstream.waitForRequests(1);
      expect(request?.aborted).toBe(false);
      controller.abort();
      expect(await pending).toBeInstanceOf(Error);
      await upstream.waitUntil(() => upstream.lastRequest().aborted, { description: 'the gateway to abort its provider request' });
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.lastRequest().completed).toBe(false);
    });

    it('aborts the provider stream when the openai client aborts mid-stream', async () => {
      upstream.enqueue({ kind: 'reply', content: 'one two three four five six seven eight', chunkCount: 8, delayMs: 150 });
      const controller = new AbortController();
      const stream = await openai.chat.completions.create(
        { model: '@openai/gpt-test', messages: [{ role: 'user', content: 'x' }], stream: true },
        { signal: controller.signal },
      );
      const received: string[] = [];
      let error: unknown;
      try {
        for await (const chunk of stream) {
          const content = chunk.choices[0]?.delta.content;
          if (content) received.push(content);
          if (received.length === 1) controller.abort();
        }
      } catch (caught) {
        error = caught;
      }
      expect(error === undefined || error instanceof Error).toBe(true);
      expect(received.length).toBeGreaterThanOrEqual(1);
      expect(received.join('')).not.toBe('one two three four five six seven eight');
      await upstream.waitUntil(() => upstream.lastRequest().aborted, { description: 'the gateway to abort its provider stream' });
      expect(upstream.lastRequest().completed).toBe(false);
    });
  });

  describe('provider failure mid-stream', () => {
    it('ends the raw stream with an OpenAI-shaped data: {"error": …} event', async () => {
      upstream.enqueue({ kind: 'disconnect', chunks: ['first ', 'second ', 'third'], afterChunks: 2, delayMs: 10 });
      const response = await postRaw(streamed('x'));
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(body).not.toContain('[DONE]');
      const payloads = payloadsOf(body);
      expect(chunkContent(payloads.slice(0, -1))).toBe('first second ');
      const last = payloads.at(-1) as { error?: Record<string, unknown> };
      expect(Object.keys(last)).toEqual(['error']);
      expect(last.error).toEqual({ message: expect.any(String), type: 'upstream_error', param: null, code: 'upstream_stream_failed' });
    });

    it("ends a stream the provider stalls past the connection's timeout with an error event and closes the provider request", async () => {
      upstream.enqueue({ kind: 'hang', content: 'partial answer', chunkCount: 2, afterChunks: 1 });
      const response = await postRaw({ model: '@slowpoke/gpt-test', messages: [{ role: 'user', content: 'x' }], stream: true });
      expect(response.status).toBe(200);
      const body = await response.text();
      const payloads = payloadsOf(body);
      expect(chunkContent(payloads.slice(0, -1))).toBe('partial');
      expect(payloads.at(-1)).toEqual({
        error: { message: expect.stringContaining("'slowpoke'") as unknown, type: 'timeout_error', param: null, code: 'upstream_timeout' },
      });
      await upstream.waitUntil(() => upstream.lastRequest().aborted, { description: 'the stalled provider request to be closed' });
    });

    it("ends a tenant connection's stream that outgrows AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES with an error event naming the limit", async () => {
      const content = 'y'.repeat(2 * TENANT_RESPONSE_LIMIT);
      upstream.enqueue({ kind: 'reply', content, chunkCount: 32, delayMs: 2 });
      const response = await postRaw({ model: '@slowpoke/gpt-test', messages: [{ role: 'user', content: 'x' }], stream: true });
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(body).not.toContain('[DONE]');
      const payloads = payloadsOf(body);
      const relayed = chunkContent(payloads.slice(0, -1));
      expect(relayed.length).toBeGreaterThan(0);
      expect(relayed.length).toBeLessThan(TENANT_RESPONSE_LIMIT);
      expect(payloads.at(-1)).toEqual({
        error: { message: expect.stringContaining('AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES') as unknown, type: 'upstream_error', param: null, code: 'upstream_response_too_large' },
      });
      // The operator's own connection has no such limit.
      upstream.enqueue({ kind: 'reply', content, chunkCount: 32 });
      const operator = await postRaw(streamed('x'));
      const operatorBody = await operator.text();
      expect(operatorBody).toContain('[DONE]');
      expect(chunkContent(payloadsOf(operatorBody))).toBe(content);
    });

    it('makes the openai client iteration throw after the delivered deltas', async () => {
      upstream.enqueue({ kind: 'disconnect', chunks: ['first ', 'second ', 'third'], afterChunks: 2, delayMs: 10 });
      const stream = await openai.chat.completions.create({ model: '@openai/gpt-test', messages: [{ role: 'user', content: 'x' }], stream: true });
      const { items, error } = await collect(stream);
      expect(contentOf(items)).toBe('first second ');
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).error).toMatchObject({ type: 'upstream_error', code: 'upstream_stream_failed' });
      expect(upstream.lastRequest().aborted).toBe(false);
    });
  });
});
