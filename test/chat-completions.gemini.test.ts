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
    gemini.enqueue({ kind: 'error', status: 429, message: 'Resource exhausted' });
    const failure = await client.chat.completions
      .create({ model: '@gem/gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).status).toBe(429);

    await server.server.container.usageRecorder.flush();
    const usage = await http.get<{ totals: { requests: number; errors: number; promptTokens: number } }>('/api/v1/usage', {
      key: server.adminKey,
    });
    expect(usage.body.totals).toMatchObject({ requests: 3, errors: 1, promptTokens: 19 });
  });
});
