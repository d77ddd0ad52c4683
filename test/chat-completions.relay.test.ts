import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { httpClient } from './support/http-client.js';
import { type ScriptedByteStream, cutBytes, startScriptedByteStream } from './support/scripted-byte-stream.js';
import { type TestServer, startTestServer } from './support/test-server.js';

const CONTENT = 'Crème brûlée 😀 for the 🧑‍🍳';

/** A provider's stream for `split-model`, as one string, so tests can cut its bytes anywhere. */
function providerStream(): string {
  const frame = (body: Record<string, unknown>) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-bytes', object: 'chat.completion.chunk', created: 1, model: 'split-model', ...body })}\n\n`;
  const delta = (value: Record<string, unknown>, finish: string | null = null) => frame({ choices: [{ index: 0, delta: value, finish_reason: finish }] });
  return [
    delta({ role: 'assistant', content: '' }),
    delta({ content: CONTENT.slice(0, 9) }),
    delta({ content: CONTENT.slice(9) }),
    delta({}, 'stop'),
    frame({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 9, total_tokens: 12 } }),
    'data: [DONE]\n\n',
  ].join('');
}

/** Byte offsets inside every occurrence of the model literal after the first, and inside each multi-byte character. */
function awkwardCuts(stream: string): number[] {
  const bytes = Buffer.from(stream, 'utf8');
  const cuts: number[] = [];
  const literal = Buffer.from('"model":"split-model"');
  for (let at = bytes.indexOf(literal); at !== -1; at = bytes.indexOf(literal, at + 1)) cuts.push(at + 11);
  for (const character of ['è', 'û', '😀', '🧑']) {
    const at = bytes.indexOf(Buffer.from(character));
    cuts.push(at + 1);
  }
  return cuts;
}

function payloadsOf(body: string): ChatCompletionChunk[] {
  return body
    .split('\n\n')
    .filter((event) => event.startsWith('data: ') && event !== 'data: [DONE]')
    .map((event) => JSON.parse(event.slice('data: '.length)) as ChatCompletionChunk);
}

describe.each(dialects)('relaying a provider stream cut at awkward places (%s)', (dialect) => {
  let provider: ScriptedByteStream;
  let server: TestServer;

  beforeAll(async () => {
    provider = await startScriptedByteStream();
    server = await startTestServer(dialect, { AGENTRY_OUTBOUND_ALLOW: '127.0.0.0/8' });
    const created = await httpClient(server.url).post('/api/v1/Connection', {
      key: server.adminKey,
      body: { name: 'bytes', type: 'OpenAiCompatible', baseUrl: provider.url, models: ['split-model'] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
    await provider?.close();
  });

  it.each([
    ['as it arrives (usage asked for)', true],
    ['frame by frame (usage dropped)', false],
  ])('renames the model and keeps multi-byte characters whole, %s', async (_mode, includeUsage) => {
    const stream = providerStream();
    const pieces = cutBytes(stream, awkwardCuts(stream));
    expect(pieces.length).toBeGreaterThan(8);
    provider.enqueue(pieces);
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: '@bytes/split-model',
        messages: [{ role: 'user', content: 'dessert?' }],
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).not.toContain('\uFFFD');
    expect(body).not.toContain('"model":"split-model"');
    const payloads = payloadsOf(body);
    expect(payloads.map((payload) => payload.model)).toEqual(payloads.map(() => '@bytes/split-model'));
    expect(payloads.map((payload) => payload.choices[0]?.delta?.content ?? '').join('')).toBe(CONTENT);
    expect(payloads.some((payload) => payload.usage)).toBe(includeUsage);
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});
