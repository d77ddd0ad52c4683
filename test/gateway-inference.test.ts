import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface SentBody {
  model: string;
  messages: Array<{ role: string; content: unknown }>;
  temperature?: number;
  stop?: unknown;
}
type OpenAiError = { error: { message: string; type: string; param: string | null; code: string } };

describe.each(dialects)('AI gateways through /v1 (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let http: HttpClient;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    server = await startTestServer(dialect, {
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'sk-upstream-0001',
      AGENTRY_OUTBOUND_ALLOW: '127.0.0.0/8',
    });
    http = httpClient(server.url);
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: server.adminKey, maxRetries: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });
  beforeEach(() => upstream.reset());

  async function createGateway(name: string, parameters: Record<string, unknown>): Promise<string> {
    const response = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: { name, parameters: { baseAddress: '', ...parameters } },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.aiGatewayId;
  }

  function sent(): SentBody {
    return upstream.lastRequest().body as SentBody;
  }

  it('applies the gateway’s instruction and settings and answers as the gateway', async () => {
    const id = await createGateway('Support bot', {
      modelName: '@openai/scripted-model',
      systemInstruction: 'You are the Acme support bot.',
      temperature: 0.2,
      stop: 'END',
      userPromptTemplate: 'Customer asks: {{prompt}}',
    });
    upstream.enqueue({ kind: 'reply', content: 'Hello from the gateway' });
    const response = await client.chat.completions
      .create({ model: id, messages: [{ role: 'user', content: 'where is my order?' }], temperature: 1.5 })
      .withResponse();
    expect(response.data.choices[0]?.message.content).toBe('Hello from the gateway');
    expect(response.data.model).toBe(id);
    expect(response.response.headers.get('x-agentry-upstream-model')).toBe('@openai/scripted-model');
    expect(sent()).toMatchObject({
      model: 'scripted-model',
      temperature: 0.2,
      stop: 'END',
      messages: [
        { role: 'system', content: 'You are the Acme support bot.' },
        { role: 'user', content: 'Customer asks: where is my order?' },
      ],
    });
  });

  it('is reachable by slug, and folds the instruction into the first user turn for models without a system role', async () => {
    await createGateway('No System', { modelName: '@openai/scripted-model', systemInstruction: 'Be brief.', flags: ['NoSystemInstruct', 'NoTemperature'] });
    await client.chat.completions.create({ model: 'no-system', messages: [{ role: 'user', content: 'hi' }], temperature: 0.7 });
    const body = sent();
    expect(body.messages.some((message) => message.role === 'system')).toBe(false);
    expect(String(body.messages[0]?.content)).toContain('Be brief.');
    expect(String(body.messages[0]?.content)).toContain('hi');
    expect(body.temperature).toBeUndefined();
  });

  it('prefills the assistant turn and, when asked, opens the reply with the prefill', async () => {
    const id = await createGateway('Prefilled', {
      modelName: '@openai/scripted-model',
      assistantPrefill: 'Certainly! ',
      includePrefillingInMessages: true,
    });
    upstream.enqueue({ kind: 'reply', content: 'Here is the answer.' });
    const completion = await client.chat.completions.create({ model: id, messages: [{ role: 'user', content: 'help' }] });
    expect(sent().messages.at(-1)).toEqual({ role: 'assistant', content: 'Certainly! ' });
    expect(completion.choices[0]?.message.content).toBe('Certainly! Here is the answer.');
  });

  it.each([
    ['relayed as it arrives', true],
    ['relayed frame by frame', false],
  ])('opens a streamed reply with the prefill too (%s), touching no other frame', async (_mode, includeUsage) => {
    const id = await createGateway(`Prefilled stream ${String(includeUsage)}`, {
      modelName: '@openai/scripted-model',
      assistantPrefill: 'Certainly! ',
      includePrefillingInMessages: true,
    });
    upstream.enqueue({ kind: 'reply', chunks: ['Here ', 'is the ', 'answer.'] });
    const stream = await client.chat.completions.create({
      model: id,
      messages: [{ role: 'user', content: 'help' }],
      stream: true,
      ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const contents = chunks.map((chunk) => chunk.choices[0]?.delta.content).filter((content) => content !== undefined && content !== '');
    expect(contents).toEqual(['Certainly! Here ', 'is the ', 'answer.']);
    expect(chunks.every((chunk) => chunk.model === id)).toBe(true);
    expect(chunks.some((chunk) => chunk.usage)).toBe(includeUsage);
    expect(sent().messages.at(-1)).toEqual({ role: 'assistant', content: 'Certainly! ' });
  });

  it('enforces the context budget: Throw answers 400, Truncate drops the oldest turns', async () => {
    const long = 'x'.repeat(400);
    const strict = await createGateway('Strict', { modelName: '@openai/scripted-model', contextMaximumSize: 150, contextOverflowAction: 'Throw' });
    const refused = await http.post<OpenAiError>('/v1/chat/completions', {
      key: server.adminKey,
      body: { model: strict, messages: [{ role: 'user', content: long }, { role: 'assistant', content: long }, { role: 'user', content: 'last' }] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.param).toBe('messages');
    expect(upstream.requests).toHaveLength(0);

    const lenient = await createGateway('Lenient', { modelName: '@openai/scripted-model', contextMaximumSize: 150, contextOverflowAction: 'Truncate' });
    await client.chat.completions.create({
      model: lenient,
      messages: [{ role: 'user', content: long }, { role: 'assistant', content: long }, { role: 'user', content: 'last' }],
    });
    expect(sent().messages.at(-1)).toMatchObject({ role: 'user', content: 'last' });
    expect(sent().messages.length).toBeLessThan(3);
  });

  it('routes by complexity and reports the choice', async () => {
    const id = await createGateway('Router', {
      modelName: '@openai/scripted-model',
      modelRoutingParameters: {
        lowComplexityModelName: '@openai/small-model',
        mediumComplexityModelName: '@openai/medium-model',
        highComplexityModelName: '@openai/large-model',
        highComplexityModelReasoningEffort: 'high',
      },
    });
    const simple = await client.chat.completions.create({ model: id, messages: [{ role: 'user', content: 'hi' }] });
    expect(sent().model).toBe('small-model');
    expect((simple as unknown as { generation_context: { model_routing: { complexity: string } } }).generation_context.model_routing.complexity).toBe('low');

    const hard = `Analyze this step by step and prove it is correct:\n\`\`\`ts\n${'const value = compute(input);\n'.repeat(60)}\`\`\``;
    const complex = await client.chat.completions.create({ model: id, messages: [{ role: 'user', content: hard }] }).withResponse();
    expect(sent()).toMatchObject({ model: 'large-model', reasoning_effort: 'high' });
    expect(complex.response.headers.get('x-agentry-complexity')).toBe('high');
  });

  it('falls back to the next model when the provider fails before answering, and meters both attempts', async () => {
    const id = await createGateway('Resilient', { modelName: '@openai/broken-model', fallbackModels: ['@openai/backup-model'] });
    for (let attempt = 0; attempt < 3; attempt += 1) upstream.enqueue({ kind: 'error', status: 503 }, { model: 'broken-model' });
    upstream.enqueue({ kind: 'reply', content: 'served by the backup' }, { model: 'backup-model' });
    const response = await client.chat.completions.create({ model: id, messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    expect(response.data.choices[0]?.message.content).toBe('served by the backup');
    expect(response.response.headers.get('x-agentry-upstream-model')).toBe('@openai/backup-model');
    expect(upstream.requests.map((request) => (request.body as SentBody).model)).toEqual(['broken-model', 'broken-model', 'broken-model', 'backup-model']);

    await server.server.container.usageRecorder.flush();
    const usage = await http.get<{ totals: { requests: number; errors: number } }>(`/api/v1/usage?gatewayId=${id}`, { key: server.adminKey });
    expect(usage.body.totals).toMatchObject({ requests: 2, errors: 1 });
  });

  it('serves a gateway that names its own base address and key', async () => {
    const id = await createGateway('Direct', { baseAddress: upstream.url, apiKey: 'sk-gateway-own-key', modelName: 'direct-model' });
    upstream.enqueue({ kind: 'reply', content: 'direct' });
    const completion = await client.chat.completions.create({ model: id, messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]?.message.content).toBe('direct');
    expect(upstream.lastRequest().headers.authorization).toBe('Bearer sk-gateway-own-key');
    expect(sent().model).toBe('direct-model');
  });

  it('lists gateways in /v1/models and hides other organizations’ gateways', async () => {
    const id = await createGateway('Listed', { modelName: '@openai/scripted-model' });
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain(id);

    const other = await server.server.container.organizations.create({ name: 'Other' });
    const foreign = await http.post<OpenAiError>('/v1/chat/completions', {
      key: other.apiKey.secret,
      body: { model: id, messages: [{ role: 'user', content: 'x' }] },
    });
    expect(foreign.status).toBe(404);
    const theirModels = await http.get<{ data: Array<{ id: string }> }>('/v1/models', { key: other.apiKey.secret });
    expect(theirModels.body.data.map((model) => model.id)).not.toContain(id);
  });
});
