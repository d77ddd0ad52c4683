import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { collect, contentOf } from './support/openai-fixtures.js';
import { type ScriptedGemini, startScriptedGemini } from './support/scripted-gemini.js';
import { type TestServer, startTestServer } from './support/test-server.js';

describe.each(dialects)('chat completions through a Gemini connection (%s)', (dialect) => {
  let gemini: ScriptedGemini;
  let server: TestServer;
  let http: HttpClient;
  let client: OpenAI;

  beforeAll(async () => {
    gemini = await startScriptedGemini();
    server = await startTestServer(dialect, { AGENTRY_OUTBOUND_ALLOW: '127.0.0.0/8' });
    http = httpClient(server.url);
    const created = await http.post('/api/v1/Connection', {
      key: server.adminKey,
      body: { name: 'gem', type: 'Gemini', baseUrl: gemini.url, apiKey: 'gemini-tenant-key-0001' },
    });
    expect(created.status).toBe(201);
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: server.adminKey, maxRetries: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await gemini?.close();
  });

  it('answers in OpenAI’s format, sending the system message as Gemini’s system instruction with the connection’s key', async () => {
    gemini.enqueue({ kind: 'reply', text: 'Bonjour!', promptTokens: 12, outputTokens: 4 });
    const completion = await client.chat.completions.create({
      model: '@gem/gemini-2.5-flash',
      messages: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Say hello' },
      ],
      temperature: 0.4,
    });
    expect(completion.choices[0]?.message.content).toBe('Bonjour!');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 4 });
    expect(completion.model).toBe('@gem/gemini-2.5-flash');

    const sent = gemini.requests.at(-1);
    expect(sent?.path).toContain('/models/gemini-2.5-flash:generateContent');
    expect(sent?.headers['x-goog-api-key']).toBe('gemini-tenant-key-0001');
    expect(JSON.stringify(sent?.headers)).not.toContain(server.adminKey);
    expect(sent?.body.systemInstruction?.parts?.[0]?.text).toBe('Answer in French.');
    expect(sent?.body.generationConfig).toMatchObject({ temperature: 0.4 });
  });

  it('streams deltas that add up to the reply, with usage when asked', async () => {
    gemini.enqueue({ kind: 'reply', text: 'one two three four', promptTokens: 7, outputTokens: 4 });
    const stream = await client.chat.completions.create({
      model: '@gem/gemini-2.5-flash',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { items, error } = await collect(stream);
    expect(error).toBeUndefined();
    expect(contentOf(items)).toBe('one two three four');
    expect(items.find((chunk) => chunk.usage)?.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 4 });
    expect(gemini.requests.at(-1)?.path).toContain(':streamGenerateContent');
  });

  it('maps a provider failure to OpenAI’s error shape and meters the calls', async () => {
    // Every attempt is refused: a 429 is retried before the first byte, as on the OpenAI-compatible path.
    for (let attempt = 0; attempt < 3; attempt += 1) gemini.enqueue({ kind: 'error', status: 429, message: 'Resource exhausted' });
    const requestsBefore = gemini.requests.length;
    const failure = await client.chat.completions
      .create({ model: '@gem/gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).status).toBe(429);
    expect(gemini.requests.length - requestsBefore).toBe(3);

    await server.server.container.usageRecorder.flush();
    const usage = await http.get<{ totals: { requests: number; errors: number; promptTokens: number } }>('/api/v1/usage', {
      key: server.adminKey,
    });
    expect(usage.body.totals).toMatchObject({ requests: 3, errors: 1, promptTokens: 19 });
  });

  it('retries a 503 before the first byte, then answers', async () => {
    gemini.enqueue({ kind: 'error', status: 503, message: 'The model is overloaded.' });
    gemini.enqueue({ kind: 'reply', text: 'Back again.' });
    const requestsBefore = gemini.requests.length;
    const completion = await client.chat.completions.create({ model: '@gem/gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]?.message.content).toBe('Back again.');
    expect(gemini.requests.length - requestsBefore).toBe(2);
  });

  it('reports cached prompt tokens in usage, streamed or not, and meters them', async () => {
    const totals = async () => {
      await server.server.container.usageRecorder.flush();
      const usage = await http.get<{ totals: { promptTokens: number; cachedTokens: number } }>('/api/v1/usage', { key: server.adminKey });
      return usage.body.totals;
    };
    const before = await totals();
    gemini.enqueue({ kind: 'reply', text: 'From the cache.', promptTokens: 100, outputTokens: 4, cachedTokens: 60 });
    const completion = await client.chat.completions.create({ model: '@gem/gemini-2.5-flash', messages: [{ role: 'user', content: 'again' }] });
    expect(completion.usage).toMatchObject({ prompt_tokens: 100, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 60 } });

    gemini.enqueue({ kind: 'reply', text: 'Cached stream.', promptTokens: 80, outputTokens: 3, cachedTokens: 50 });
    const { items } = await collect(
      await client.chat.completions.create({
        model: '@gem/gemini-2.5-flash',
        messages: [{ role: 'user', content: 'again' }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(items.find((chunk) => chunk.usage)?.usage).toMatchObject({ prompt_tokens: 80, prompt_tokens_details: { cached_tokens: 50 } });

    const after = await totals();
    expect(after.promptTokens - before.promptTokens).toBe(180);
    expect(after.cachedTokens - before.cachedTokens).toBe(110);
  });

  it('turns reasoning_effort into a thinking budget with the thoughts returned, and none into no thinking', async () => {
    gemini.enqueue({ kind: 'reply', text: 'Done.', promptTokens: 5, outputTokens: 1 });
    await client.chat.completions.create({ model: '@gem/gemini-2.5-flash', messages: [{ role: 'user', content: 'Think.' }], reasoning_effort: 'medium' });
    expect(gemini.requests.at(-1)?.body.generationConfig).toMatchObject({ thinkingConfig: { thinkingBudget: 8_192, includeThoughts: true } });

    gemini.enqueue({ kind: 'reply', text: 'Done.', promptTokens: 5, outputTokens: 1 });
    await client.chat.completions.create({ model: '@gem/gemini-2.5-flash', messages: [{ role: 'user', content: 'Fast.' }], reasoning_effort: 'none' as 'low' });
    expect(gemini.requests.at(-1)?.body.generationConfig).toMatchObject({ thinkingConfig: { thinkingBudget: 0 } });

    gemini.enqueue({ kind: 'reply', text: 'Done.', promptTokens: 5, outputTokens: 1 });
    await client.chat.completions.create({ model: '@gem/gemini-2.5-flash', messages: [{ role: 'user', content: 'Default.' }] });
    expect(gemini.requests.at(-1)?.body.generationConfig ?? {}).not.toHaveProperty('thinkingConfig');
  });
});
