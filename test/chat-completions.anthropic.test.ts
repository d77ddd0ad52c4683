import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedAnthropic, startScriptedAnthropic } from './support/scripted-anthropic.js';
import { type TestServer, startTestServer } from './support/test-server.js';
import { weatherTool } from './support/openai-fixtures.js';

// A model the SDK knows, so it keeps sampling settings it drops for unknown (presumed newest) models.
const MODEL = '@claude/claude-sonnet-4-5';
/** AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES here: the scripted provider is a tenant connection, so it applies. */
const TENANT_RESPONSE_LIMIT = 16_384;

interface Totals {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe.each(dialects)('chat completions through Anthropic (%s)', (dialect) => {
  let anthropic: ScriptedAnthropic;
  let server: TestServer;
  let http: HttpClient;
  let openai: OpenAI;

  async function totals(): Promise<Totals> {
    await server.server.container.usageRecorder.flush();
    const response = await http.get<{ totals: Totals }>('/api/v1/usage', { key: server.adminKey });
    expect(response.status).toBe(200);
    return response.body.totals;
  }

  beforeAll(async () => {
    anthropic = await startScriptedAnthropic();
    server = await startTestServer(dialect, {
      ANTHROPIC_API_KEY: 'sk-ant-test',
      AGENTRY_OUTBOUND_ALLOW: '127.0.0.0/8',
      AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES: String(TENANT_RESPONSE_LIMIT),
    });
    http = httpClient(server.url);
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: server.adminKey, maxRetries: 0, timeout: 15_000 });
    // The operator connection is fixed to api.anthropic.com, so the scripted provider is a tenant connection.
    const created = await http.post('/api/v1/Connection', {
      key: server.adminKey,
      body: { name: 'claude', type: 'Anthropic', baseUrl: anthropic.url, apiKey: 'sk-ant-tenant' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
    await anthropic?.close();
  });
  beforeEach(() => anthropic.reset());

  it('answers in the OpenAI shape, under the model the client asked for', async () => {
    anthropic.enqueue({ kind: 'reply', text: 'Paris is the capital of France.' });
    const completion = await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Capital of France?' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(MODEL);
    expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Paris is the capital of France.' });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 });
    expect(anthropic.lastRequest()).toMatchObject({ method: 'POST', path: '/v1/messages' });
    expect(anthropic.lastRequest().body).toMatchObject({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] }] });
  });

  it("sends the system message as Anthropic's system field, with sampling settings, and the connection's key only", async () => {
    await openai.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'system', content: 'Answer in one word.' },
        { role: 'user', content: 'Hi' },
      ],
      temperature: 0.2,
      max_tokens: 64,
      stop: ['END'],
    });
    const received = anthropic.lastRequest();
    expect(received.body).toMatchObject({ system: [{ type: 'text', text: 'Answer in one word.' }], temperature: 0.2, max_tokens: 64, stop_sequences: ['END'] });
    expect(received.body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
    expect(received.headers['x-api-key']).toBe('sk-ant-tenant');
    expect(received.rawBody).not.toContain(server.adminKey);
    expect(JSON.stringify(received.headers)).not.toContain(server.adminKey);
    expect(JSON.stringify(received.headers)).not.toContain('sk-ant-test');
  });

  it('turns reasoning_effort into extended thinking with a token budget, and none into no thinking', async () => {
    anthropic.enqueue({ kind: 'reply', text: 'Forty-two.' });
    await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Think hard.' }], reasoning_effort: 'high', max_completion_tokens: 1000 });
    const body = anthropic.lastRequest().body as { thinking?: unknown; max_tokens?: number };
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 24_576 });
    // The budget counts toward max_tokens, so the answer keeps the room the client asked for.
    expect(body.max_tokens).toBeGreaterThan(24_576);

    anthropic.enqueue({ kind: 'reply', text: 'Quick.' });
    await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Quick answer.' }], reasoning_effort: 'none' as 'low' });
    expect((anthropic.lastRequest().body as { thinking?: unknown }).thinking).toEqual({ type: 'disabled' });

    anthropic.enqueue({ kind: 'reply', text: 'Plain.' });
    await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'No effort given.' }] });
    expect(anthropic.lastRequest().body).not.toHaveProperty('thinking');
  });

  it('streams deltas that concatenate to the reply, ending with a finish reason', async () => {
    anthropic.enqueue({ kind: 'reply', text: 'Streaming works through Claude.', pieceSize: 4 });
    const chunks = await collect(await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Go' }], stream: true }));
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Streaming works through Claude.');
    expect(chunks.filter((chunk) => chunk.choices.length > 1)).toEqual([]);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.every((chunk) => chunk.model === MODEL && chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(anthropic.lastRequest().body.stream).toBe(true);
  });

  it('ends with a usage frame when the client asks for it', async () => {
    anthropic.enqueue({ kind: 'reply', text: 'Counted.', usage: { input_tokens: 30, output_tokens: 4 } });
    const chunks = await collect(
      await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Count' }], stream: true, stream_options: { include_usage: true } }),
    );
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 4, total_tokens: 34 });
  });

  it('returns a tool call as OpenAI tool_calls, and sends tool results back as Anthropic tool_result blocks', async () => {
    anthropic.enqueue({ kind: 'reply', toolUse: { id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } } });
    const completion = await openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.tool_calls).toEqual([{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
    expect(anthropic.lastRequest().body).toMatchObject({
      tools: [{ name: 'get_weather', description: 'Current weather for a city', input_schema: weatherTool.function.parameters }],
      tool_choice: { type: 'tool', name: 'get_weather' },
    });

    anthropic.enqueue({ kind: 'reply', text: 'Sunny in Paris.' });
    const followUp = await openai.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: choice?.message.tool_calls ?? [] },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny, 24°C' },
      ],
      tools: [weatherTool],
    });
    expect(followUp.choices[0]?.message.content).toBe('Sunny in Paris.');
    expect(anthropic.lastRequest().body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny, 24°C' }] },
    ]);
  });

  it('streams a tool call as OpenAI tool call deltas', async () => {
    anthropic.enqueue({ kind: 'reply', toolUse: { id: 'toolu_2', name: 'get_weather', input: { city: 'Lyon' } } });
    const chunks = await collect(
      await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Weather in Lyon?' }], tools: [weatherTool], stream: true }),
    );
    const deltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toMatchObject({ index: 0, id: 'toolu_2', type: 'function', function: { name: 'get_weather' } });
    expect(deltas.every((delta) => delta.index === 0)).toBe(true);
    expect(JSON.parse(deltas.map((delta) => delta.function?.arguments ?? '').join(''))).toEqual({ city: 'Lyon' });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it.each([
    [429, 429, 'rate_limit_error', 'upstream_rate_limited'],
    [500, 502, 'upstream_error', 'upstream_error'],
  ])('maps a provider %i to %i in OpenAI error shape, without the key, once retries are spent', async (providerStatus, status, type, code) => {
    for (let attempt = 0; attempt < 3; attempt += 1) anthropic.enqueue({ kind: 'error', status: providerStatus, message: 'busy with key sk-ant-tenant' });
    const response = await http.post<{ error: Record<string, unknown> }>('/v1/chat/completions', {
      key: server.adminKey,
      body: { model: MODEL, messages: [{ role: 'user', content: 'Hi' }] },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    expect(Object.keys(response.body)).toEqual(['error']);
    expect(response.body.error).toMatchObject({ type, code });
    expect(String(response.body.error.message)).toContain('busy with key');
    expect(String(response.body.error.message)).not.toContain('sk-ant-tenant');
    expect(anthropic.requests).toHaveLength(3);
  });

  it('maps a provider failure before the first streamed byte to an HTTP error, without retrying a long Retry-After', async () => {
    anthropic.enqueue({ kind: 'error', status: 429, message: 'slow down', retryAfterSeconds: 60 });
    const failure = await openai.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect(anthropic.requests).toHaveLength(1);
  });

  it.each([
    ['a JSON reply', false],
    ['a stream', true],
  ])('retries a 503 before the first byte of %s, then answers as if nothing happened', async (_kind, stream) => {
    const before = await totals();
    anthropic.enqueue({ kind: 'error', status: 503, message: 'overloaded' });
    anthropic.enqueue({ kind: 'reply', text: 'Second time lucky.' });
    const response = await http.post<string | { choices: Array<{ message: { content: string } }> }>('/v1/chat/completions', {
      key: server.adminKey,
      body: { model: MODEL, messages: [{ role: 'user', content: 'Hi' }], stream },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    if (stream) {
      const deltas = String(response.body)
        .split('\n\n')
        .filter((event) => event.startsWith('data: {'))
        .map((event) => (JSON.parse(event.slice(6)) as ChatCompletionChunk).choices[0]?.delta.content ?? '');
      expect(deltas.join('')).toBe('Second time lucky.');
    } else {
      expect(response.body).toMatchObject({ choices: [{ message: { content: 'Second time lucky.' } }] });
    }
    expect(anthropic.requests).toHaveLength(2);
    expect(anthropic.requests[1]?.rawBody).toBe(anthropic.requests[0]?.rawBody);
    // One call for the client, metered once, and not as a failure.
    const after = await totals();
    expect(after.requests - before.requests).toBe(1);
    expect(after.errors - before.errors).toBe(0);
  });

  it('does not retry a request the provider rejects as invalid', async () => {
    anthropic.enqueue({ kind: 'error', status: 400, message: 'messages: bad' });
    const response = await http.post<{ error: Record<string, unknown> }>('/v1/chat/completions', {
      key: server.adminKey,
      body: { model: MODEL, messages: [{ role: 'user', content: 'Hi' }] },
    });
    expect(response.status).toBe(400);
    expect(anthropic.requests).toHaveLength(1);
  });

  it('returns thinking as reasoning_content next to the answer', async () => {
    anthropic.enqueue({ kind: 'reply', thinking: 'France: capital is Paris.', text: 'Paris.' });
    const completion = await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Capital of France?' }] });
    expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Paris.', reasoning_content: 'France: capital is Paris.' });

    anthropic.enqueue({ kind: 'reply', text: 'No thinking here.' });
    const plain = await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] });
    expect(plain.choices[0]?.message).not.toHaveProperty('reasoning_content');
  });

  it('streams thinking as reasoning_content deltas before the content deltas', async () => {
    anthropic.enqueue({ kind: 'reply', thinking: 'Lyon is in France; it is mild today.', text: 'Mild in Lyon.', pieceSize: 6 });
    const chunks = await collect(await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Weather?' }], stream: true }));
    const deltas = chunks.map((chunk) => (chunk.choices[0]?.delta ?? {}) as { content?: string | null; reasoning_content?: string });
    const reasoning = deltas.filter((delta) => delta.reasoning_content);
    expect(reasoning.length).toBeGreaterThan(1);
    expect(reasoning.map((delta) => delta.reasoning_content).join('')).toBe('Lyon is in France; it is mild today.');
    expect(deltas.map((delta) => delta.content ?? '').join('')).toBe('Mild in Lyon.');
    const lastReasoning = deltas.findLastIndex((delta) => delta.reasoning_content);
    const firstContent = deltas.findIndex((delta) => delta.content);
    expect(lastReasoning).toBeLessThan(firstContent);
    expect(deltas.filter((delta) => delta.reasoning_content !== undefined && delta.reasoning_content === '')).toEqual([]);
  });

  it('opens a streamed gateway reply with its prefill, as it does a JSON one', async () => {
    const created = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: { name: 'Claude prefilled', parameters: { baseAddress: '', modelName: MODEL, assistantPrefill: 'Certainly!', includePrefillingInMessages: true } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const gateway = created.body.aiGatewayId;

    anthropic.enqueue({ kind: 'reply', text: ' Here you go.', pieceSize: 4 });
    const chunks = await collect(await openai.chat.completions.create({ model: gateway, messages: [{ role: 'user', content: 'Help' }], stream: true }));
    const contents = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').filter(Boolean);
    expect(contents[0]).toBe('Certainly! Her');
    expect(contents.join('')).toBe('Certainly! Here you go.');
    expect(anthropic.lastRequest().body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Help' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Certainly!' }] },
    ]);

    anthropic.enqueue({ kind: 'reply', text: ' Here you go.' });
    const completion = await openai.chat.completions.create({ model: gateway, messages: [{ role: 'user', content: 'Help' }] });
    expect(completion.choices[0]?.message.content).toBe('Certainly! Here you go.');
  });

  it('aborts the provider call when the client disconnects', async () => {
    anthropic.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const pending = openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] }, { signal: controller.signal });
    await anthropic.waitUntil(() => anthropic.requests.length === 1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await anthropic.waitUntil(() => anthropic.lastRequest().aborted);
  });

  it.each([
    ['a JSON reply', false],
    ['a stream', true],
  ])('fails %s larger than AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES with upstream_response_too_large, without retrying', async (_kind, stream) => {
    anthropic.enqueue({ kind: 'reply', text: 'w'.repeat(2 * TENANT_RESPONSE_LIMIT) });
    const response = await http.post<string | { error: Record<string, unknown> }>('/v1/chat/completions', {
      key: server.adminKey,
      body: { model: MODEL, messages: [{ role: 'user', content: 'Hi' }], stream },
    });
    const error = stream
      ? (JSON.parse(String(response.body).split('\n\n').filter((event) => event.startsWith('data: {')).at(-1)!.slice(6)) as { error: Record<string, unknown> }).error
      : (response.body as { error: Record<string, unknown> }).error;
    expect(response.status, JSON.stringify(response.body)).toBe(stream ? 200 : 502);
    expect(error).toMatchObject({ code: 'upstream_response_too_large', message: expect.stringContaining('AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES') });
    expect(anthropic.requests).toHaveLength(1);
  });

  it("answers 504 when the provider does not answer within the connection's timeout", async () => {
    const created = await http.post('/api/v1/Connection', {
      key: server.adminKey,
      body: { name: 'claude-slow', type: 'Anthropic', baseUrl: anthropic.url, apiKey: 'sk-ant-tenant', timeoutMs: 1_000 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    anthropic.enqueue({ kind: 'hang' });
    const response = await http.post<{ error: Record<string, unknown> }>('/v1/chat/completions', {
      key: server.adminKey,
      body: { model: '@claude-slow/claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(504);
    expect(response.body.error).toMatchObject({ code: 'upstream_timeout' });
    await anthropic.waitUntil(() => anthropic.lastRequest().aborted);
  });

  it('records the tokens of non-streamed and streamed calls, streamed ones even without include_usage', async () => {
    const before = await totals();
    anthropic.enqueue({ kind: 'reply', text: 'One.', usage: { input_tokens: 1000, output_tokens: 500, cache_read_input_tokens: 400 } });
    await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] });
    anthropic.enqueue({ kind: 'reply', text: 'Two.', usage: { input_tokens: 100, output_tokens: 50 } });
    await collect(await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }], stream: true }));
    const after = await totals();
    // Anthropic counts cache reads apart from input tokens; OpenAI's prompt_tokens include them.
    expect(after.requests - before.requests).toBe(2);
    expect(after.promptTokens - before.promptTokens).toBe(1400 + 100);
    expect(after.completionTokens - before.completionTokens).toBe(550);
    expect(after.cachedTokens - before.cachedTokens).toBe(400);
  });
});
