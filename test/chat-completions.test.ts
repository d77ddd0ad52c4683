import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, streamText } from 'ai';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';
import { sdkWeatherTool, weatherTool } from './support/openai-fixtures.js';

const UPSTREAM_KEY = 'sk-upstream-secret-0001';
const TENANT_KEY = 'tenant-credential-mine-0002';

/** Every header value the upstream received, flattened, to look for a leaked credential. */
function headerValues(headers: Readonly<Record<string, string | string[] | undefined>>): string[] {
  return Object.values(headers).flatMap((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));
}

describe.each(dialects)('chat completions (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let http: HttpClient;
  let openai: OpenAI;
  let sdk: ReturnType<typeof createOpenAICompatible>;

  async function createConnection(body: Record<string, unknown>): Promise<void> {
    const response = await http.post('/api/v1/Connection', {
      key: server.adminKey,
      body: { type: 'OpenAiCompatible', baseUrl: upstream.url, ...body },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
  }

  async function listedModelIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    return ids.sort();
  }

  beforeAll(async () => {
    upstream = await startScriptedUpstream({ models: ['gpt-test', 'm-small', 'm-large'] });
    server = await startTestServer(dialect, {
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: UPSTREAM_KEY,
      AGENTRY_OUTBOUND_ALLOW: '127.0.0.0/8',
      AGENTRY_SSE_PING_INTERVAL_MS: '100',
    });
    http = httpClient(server.url);
    // No client-side retries: every upstream request a test sees is the gateway's own.
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: server.adminKey, maxRetries: 0, timeout: 15_000 });
    sdk = createOpenAICompatible({ name: 'agentry', baseURL: `${server.url}/v1`, apiKey: server.adminKey });
    await createConnection({ name: 'mine', apiKey: TENANT_KEY, models: ['m-small', 'm-large'] });
    await createConnection({ name: 'locked', apiKey: 'tenant-credential-locked-0003', models: ['hidden-model'], accessMode: 'Restricted' });
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });
  beforeEach(() => upstream.reset());

  describe('non-streamed', () => {
    it('answers @openai/<model> with the reply, under the model the client asked for', async () => {
      upstream.enqueue({ kind: 'reply', content: 'Paris is the capital of France.' });
      const completion = await openai.chat.completions.create({
        model: '@openai/gpt-test',
        messages: [{ role: 'user', content: 'Capital of France?' }],
      });
      expect(completion.object).toBe('chat.completion');
      expect(completion.model).toBe('@openai/gpt-test');
      expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Paris is the capital of France.' });
      expect(completion.choices[0]?.finish_reason).toBe('stop');
      expect(completion.usage?.total_tokens).toBeGreaterThan(0);
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.lastRequest()).toMatchObject({ method: 'POST', path: '/v1/chat/completions', completed: true });
    });

    it('names the model the client asked for however the provider named and spaced it, and adds generation_context last', async () => {
      upstream.enqueue({ kind: 'reply', content: 'Dated.', model: 'gpt-test-2024-07-18' });
      const spaced = {
        id: 'chatcmpl-spaced',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'gpt-test',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Spaced "model": "gpt-test".' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
      };
      upstream.enqueue({ kind: 'reply', rawBody: `${JSON.stringify(spaced, null, 2)}\n` });
      for (const content of ['Dated.', 'Spaced "model": "gpt-test".']) {
        const response = await fetch(`${server.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: '@openai/gpt-test', messages: [{ role: 'user', content: 'x' }] }),
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
        const completion = (await response.json()) as Record<string, unknown> & { choices: Array<{ message: { content: string } }> };
        expect(completion.model).toBe('@openai/gpt-test');
        expect(completion.choices[0]?.message.content).toBe(content);
        expect(Object.keys(completion).at(-1)).toBe('generation_context');
        expect(completion.generation_context).toMatchObject({ generated_usage: expect.any(Array), runned_functions: [] });
      }
    });

    it('forwards the request untouched but for the model prefix, with the operator key and never the Agentry key', async () => {
      upstream.enqueue({ kind: 'reply', content: '{"ok":true}' });
      const request = {
        model: '@openai/gpt-test',
        messages: [
          { role: 'system', content: 'Answer in JSON.' },
          { role: 'user', content: 'Is it ok?' },
        ],
        temperature: 0.3,
        metadata: { ticket: '4711', source: 'integration-test' },
        tools: [weatherTool],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        response_format: { type: 'json_object' },
      } satisfies ChatCompletionCreateParamsNonStreaming;
      const completion = await openai.chat.completions.create(request);
      expect(completion.choices[0]?.message.content).toBe('{"ok":true}');

      const received = upstream.lastRequest();
      expect(received.body).toEqual({ ...request, model: 'gpt-test' });
      expect(received.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
      expect(headerValues(received.headers).filter((value) => value.includes(server.adminKey))).toEqual([]);
      expect(received.rawBody).not.toContain(server.adminKey);
    });

    it("calls a tenant connection @mine/<model> with that connection's own key", async () => {
      upstream.enqueue({ kind: 'reply', content: 'from the tenant connection' });
      const completion = await openai.chat.completions.create({
        model: '@mine/m-small',
        messages: [{ role: 'user', content: 'Hello' }],
      });
      expect(completion.model).toBe('@mine/m-small');
      expect(completion.choices[0]?.message.content).toBe('from the tenant connection');
      const received = upstream.lastRequest();
      expect(received.body).toEqual({ model: 'm-small', messages: [{ role: 'user', content: 'Hello' }] });
      expect(received.headers.authorization).toBe(`Bearer ${TENANT_KEY}`);
      expect(headerValues(received.headers).some((value) => value.includes(server.adminKey) || value.includes(UPSTREAM_KEY))).toBe(false);
    });

    it('relays tool calls the model makes', async () => {
      upstream.enqueue({ kind: 'reply', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
      const completion = await openai.chat.completions.create({
        model: '@openai/gpt-test',
        messages: [{ role: 'user', content: 'Weather in Oslo?' }],
        tools: [weatherTool],
      });
      expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
      expect(completion.choices[0]?.message.tool_calls).toEqual([
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
      ]);
    });
  });

  describe('AI SDK', () => {
    it('works unchanged with generateText and streamText', async () => {
      upstream.enqueue({ kind: 'reply', content: 'Generated answer' });
      upstream.enqueue({ kind: 'reply', content: 'Streamed answer', chunkCount: 4 });

      const generated = await generateText({ model: sdk('@openai/gpt-test'), prompt: 'Say something', maxRetries: 0 });
      expect(generated.text).toBe('Generated answer');
      expect(generated.finishReason).toBe('stop');
      expect(upstream.requests[0]?.body).toMatchObject({ model: 'gpt-test', messages: [{ role: 'user', content: 'Say something' }] });

      const streamed = streamText({ model: sdk('@mine/m-large'), prompt: 'Stream something', maxRetries: 0 });
      const deltas: string[] = [];
      for await (const delta of streamed.textStream) deltas.push(delta);
      expect(deltas.join('')).toBe('Streamed answer');
      expect(deltas.length).toBeGreaterThan(1);
      expect(await streamed.finishReason).toBe('stop');
      expect(upstream.requests[1]?.body).toMatchObject({ model: 'm-large', stream: true });
      expect(upstream.requests[1]?.headers.authorization).toBe(`Bearer ${TENANT_KEY}`);
    });

    it('receives a scripted tool call with parsed arguments, non-streamed and streamed', async () => {
      upstream.enqueue({ kind: 'reply', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
      upstream.enqueue({ kind: 'reply', content: 'Checking.', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Lima"}' }] });

      const generated = await generateText({
        model: sdk('@openai/gpt-test'),
        prompt: 'Weather in Oslo?',
        tools: { get_weather: sdkWeatherTool },
        maxRetries: 0,
      });
      expect(generated.finishReason).toBe('tool-calls');
      expect(generated.toolCalls).toMatchObject([{ toolName: 'get_weather', input: { city: 'Oslo' } }]);

      const streamed = streamText({
        model: sdk('@openai/gpt-test'),
        prompt: 'Weather in Lima?',
        tools: { get_weather: sdkWeatherTool },
        maxRetries: 0,
      });
      expect(await streamed.text).toBe('Checking.');
      expect(await streamed.toolCalls).toMatchObject([{ toolName: 'get_weather', input: { city: 'Lima' } }]);
      expect(await streamed.finishReason).toBe('tool-calls');
      expect(upstream.lastRequest().body).toMatchObject({
        model: 'gpt-test',
        stream: true,
        tools: [{ type: 'function', function: { name: 'get_weather' } }],
      });
    });
  });

  describe('GET /v1/models', () => {
    it("lists declared models, or the provider's own list when none are declared, never Restricted ones", async () => {
      const ids = await listedModelIds();
      // `mine` declares its models; the operator's `openai` declares none, so its provider's /models is used.
      expect(ids).toEqual(['@openai/gpt-test', '@openai/m-small', '@openai/m-large', '@mine/m-small', '@mine/m-large'].sort());
      expect(ids.some((id) => id.includes('hidden-model') || id.startsWith('@locked/'))).toBe(false);
      expect(upstream.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /v1/models']);
      expect(upstream.lastRequest().headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);

      const raw = await http.get<{ object: string; data: Array<Record<string, unknown>> }>('/v1/models', { key: server.adminKey });
      expect(raw.status).toBe(200);
      expect(raw.body.object).toBe('list');
      expect(raw.body.data.find((model) => model.id === '@mine/m-small')).toEqual({
        id: '@mine/m-small',
        object: 'model',
        created: expect.any(Number),
        owned_by: 'mine',
      });
      // The provider's list is remembered: a second listing does not ask again.
      expect(upstream.requests).toHaveLength(1);
    });

    it('still lists the other models when a provider cannot list its own', async () => {
      const dead = http.post('/api/v1/Connection', {
        key: server.adminKey,
        body: { type: 'OpenAiCompatible', name: 'deadend', baseUrl: 'http://127.0.0.1:9/v1' },
      });
      expect((await dead).status).toBe(201);
      const ids = await listedModelIds();
      expect(ids.some((id) => id.startsWith('@deadend/'))).toBe(false);
      expect(ids).toContain('@mine/m-small');
      const removed = await http.get<{ items: Array<{ id: string; name: string }> }>('/api/v1/Connection?search=deadend', { key: server.adminKey });
      await http.delete(`/api/v1/Connection/${removed.body.items[0]?.id}`, { key: server.adminKey });
    });

    it('leaves out connections whose type the governance policy disables', async () => {
      const disable = await http.put('/api/v1/accounts', {
        key: server.adminKey,
        body: { parameters: { disabledConnectionTypes: ['OpenAiCompatible'] } },
      });
      expect(disable.status).toBe(200);
      try {
        expect(await listedModelIds()).toEqual([]);
      } finally {
        const enable = await http.put('/api/v1/accounts', { key: server.adminKey, body: { parameters: { disabledConnectionTypes: [] } } });
        expect(enable.status).toBe(200);
      }
      expect(await listedModelIds()).toContain('@mine/m-small');
    });
  });
});
