import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, streamText } from 'ai';
import OpenAI, { APIConnectionError, APIError, APIUserAbortError, NotFoundError, RateLimitError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_REPLY_CONTENT,
  type ScriptedUpstream,
  countTokens,
  fakeEmbedding,
  startScriptedUpstream,
} from './support/scripted-upstream.js';
import { collect, contentOf, sdkWeatherTool, weatherTool } from './support/openai-fixtures.js';

describe('scripted upstream', () => {
  let upstream: ScriptedUpstream;
  // Retries would silently answer a scripted failure with the next step (or the
  // default reply); the one test about retries opts back in.
  let openai: OpenAI;
  let sdk: ReturnType<typeof createOpenAICompatible>;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    openai = new OpenAI({ baseURL: upstream.url, apiKey: 'test', maxRetries: 0, timeout: 10_000 });
    sdk = createOpenAICompatible({ name: 'scripted', baseURL: upstream.url, apiKey: 'test', includeUsage: true });
  });
  afterAll(() => upstream.close());
  beforeEach(() => {
    upstream.reset();
    upstream.models = ['scripted-model'];
  });

  describe('replies', () => {
    it('answers a non-streamed chat completion with deterministic usage and a request id', async () => {
      upstream.enqueue({ kind: 'reply', content: 'Paris is the capital of France.' });
      const { data, response } = await openai.chat.completions
        .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Capital of France?' }] })
        .withResponse();
      expect(data.object).toBe('chat.completion');
      expect(data.model).toBe('gpt-test');
      expect(data.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Paris is the capital of France.' });
      expect(data.choices[0]?.finish_reason).toBe('stop');
      expect(data.usage).toMatchObject({
        prompt_tokens: countTokens('Capital of France?'),
        completion_tokens: countTokens('Paris is the capital of France.'),
        total_tokens: countTokens('Capital of France?') + countTokens('Paris is the capital of France.'),
        prompt_tokens_details: { cached_tokens: 0 },
      });
      expect(response.headers.get('x-request-id')).toBe(upstream.lastRequest().id);
      expect(upstream.lastRequest()).toMatchObject({ completed: true, aborted: false });
    });

    it('falls back to the default reply when nothing is scripted', async () => {
      const completion = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
      expect(completion.choices[0]?.message.content).toBe(DEFAULT_REPLY_CONTENT);
      expect(upstream.lastRequest().step).toBeUndefined();
    });

    it('streams the scripted chunks and sends the usage chunk before [DONE] when include_usage is set', async () => {
      upstream.enqueue({
        kind: 'reply',
        chunks: ['Hel', 'lo, ', 'world'],
        usage: { prompt_tokens: 11, completion_tokens: 3, cached_tokens: 4 },
      });
      const stream = await openai.chat.completions.create({
        model: 'gpt-test',
        messages: [{ role: 'user', content: 'Greet me' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const { items: chunks, error } = await collect(stream);
      expect(error).toBeUndefined();
      expect(chunks.map((chunk) => chunk.choices[0]?.delta.content).filter(Boolean)).toEqual(['Hel', 'lo, ', 'world']);
      expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
      expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('stop');
      const usageChunk = chunks.at(-1);
      expect(usageChunk?.choices).toEqual([]);
      expect(usageChunk?.usage).toMatchObject({
        prompt_tokens: 11,
        completion_tokens: 3,
        total_tokens: 14,
        prompt_tokens_details: { cached_tokens: 4 },
      });
      expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    });

    it('frames the stream as text/event-stream data lines ending in [DONE], without usage unless asked', async () => {
      upstream.enqueue({ kind: 'reply', content: 'abcdef', chunkCount: 2 });
      const response = await fetch(`${upstream.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }),
      });
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(response.headers.get('x-request-id')).toBe(upstream.lastRequest().id);
      const frames = (await response.text()).split('\n\n').filter((frame) => frame !== '');
      expect(frames.every((frame) => frame.startsWith('data: '))).toBe(true);
      expect(frames.at(-1)).toBe('data: [DONE]');
      const payloads = frames.slice(0, -1).map((frame) => JSON.parse(frame.slice('data: '.length)) as ChatCompletionChunk);
      expect(payloads.map((payload) => payload.choices[0]?.delta)).toEqual([
        { role: 'assistant', content: '', refusal: null },
        { content: 'abc' },
        { content: 'def' },
        {},
      ]);
      expect(payloads.every((payload) => payload.object === 'chat.completion.chunk' && !('usage' in payload))).toBe(true);
    });

    it('waits before the first byte and between chunks with real timers', async () => {
      upstream.enqueue({ kind: 'slow', firstByteDelayMs: 150, content: 'one two three four', chunkCount: 4, delayMs: 60 });
      const started = performance.now();
      const stream = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
      const arrivals: number[] = [];
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) arrivals.push(performance.now());
      expect(arrivals).toHaveLength(4);
      // Lower bounds only: a busy machine can be slower, never faster.
      expect(arrivals[0]! - started).toBeGreaterThanOrEqual(140);
      expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(3 * 60 - 20);
    });

    it('serves the AI SDK generateText and streamText, usage included', async () => {
      upstream.enqueue({ kind: 'reply', content: 'Generated answer' });
      upstream.enqueue({ kind: 'reply', content: 'Streamed answer', chunkCount: 5, usage: { prompt_tokens: 7, completion_tokens: 4, cached_tokens: 2 } });
      const generated = await generateText({ model: sdk('scripted-model'), prompt: 'Say something' });
      expect(generated.text).toBe('Generated answer');
      expect(generated.usage).toMatchObject({ inputTokens: countTokens('Say something'), outputTokens: countTokens('Generated answer') });

      const streamed = streamText({ model: sdk('scripted-model'), prompt: 'Stream something', maxRetries: 0 });
      const deltas: string[] = [];
      for await (const delta of streamed.textStream) deltas.push(delta);
      expect(deltas.join('')).toBe('Streamed answer');
      expect(deltas.length).toBeGreaterThan(1);
      expect(await streamed.usage).toMatchObject({ inputTokens: 7, outputTokens: 4, totalTokens: 11, inputTokenDetails: { cacheReadTokens: 2 } });
      expect(upstream.lastRequest().body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    });
  });

  describe('tool calls', () => {
    it('returns non-streamed tool calls with null content and finish_reason tool_calls', async () => {
      upstream.enqueue({ kind: 'reply', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
      const completion = await openai.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'Weather in Oslo?' }],
        tools: [weatherTool],
      });
      const choice = completion.choices[0];
      expect(choice?.finish_reason).toBe('tool_calls');
      expect(choice?.message.content).toBeNull();
      expect(choice?.message.tool_calls).toEqual([
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
      ]);
    });

    it('streams tool calls as OpenAI deltas: id, type and name first, then argument fragments', async () => {
      const calls = [
        { name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { name: 'get_weather', arguments: '{"city":"Lima"}' },
      ];
      upstream.enqueue({ kind: 'reply', toolCalls: calls, chunkCount: 3 });
      const stream = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [weatherTool], stream: true });
      const { items: chunks } = await collect(stream);
      const deltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
      for (const [index, call] of calls.entries()) {
        const [opening, ...fragments] = deltas.filter((delta) => delta.index === index);
        expect(opening).toMatchObject({ index, type: 'function', function: { name: call.name, arguments: '' } });
        expect(opening?.id).toMatch(/^call_scripted_/);
        expect(fragments).toHaveLength(3);
        expect(fragments.every((fragment) => fragment.id === undefined && fragment.function?.name === undefined)).toBe(true);
        expect(fragments.map((fragment) => fragment.function?.arguments).join('')).toBe(call.arguments);
      }
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
    });

    it('lets the AI SDK parse tool call arguments, streamed and not', async () => {
      upstream.enqueue({ kind: 'reply', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
      upstream.enqueue({ kind: 'reply', content: 'Checking.', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Lima"}' }] });
      const generated = await generateText({ model: sdk('scripted-model'), prompt: 'Weather?', tools: { get_weather: sdkWeatherTool } });
      expect(generated.toolCalls).toMatchObject([{ toolName: 'get_weather', input: { city: 'Oslo' } }]);
      expect(generated.finishReason).toBe('tool-calls');

      const streamed = streamText({ model: sdk('scripted-model'), prompt: 'Weather?', tools: { get_weather: sdkWeatherTool }, maxRetries: 0 });
      expect(await streamed.text).toBe('Checking.');
      expect(await streamed.toolCalls).toMatchObject([{ toolName: 'get_weather', input: { city: 'Lima' } }]);
      expect(upstream.lastRequest().body).toMatchObject({ tools: [{ type: 'function', function: { name: 'get_weather' } }] });
    });
  });

  describe('failures', () => {
    it('surfaces an error step as the client APIError with status, headers and OpenAI body', async () => {
      upstream.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '7' } });
      const error = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RateLimitError);
      const apiError = error as RateLimitError;
      expect(apiError.status).toBe(429);
      expect(apiError.headers.get('retry-after')).toBe('7');
      expect(apiError.headers.get('x-request-id')).toBe(upstream.lastRequest().id);
      expect(apiError.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    });

    it('answers a streaming request with a JSON error before any stream opens', async () => {
      upstream.enqueue({ kind: 'error', status: 503, message: 'overloaded', code: 'overloaded' });
      const error = await openai.chat.completions
        .create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).status).toBe(503);
      expect((error as APIError).error).toMatchObject({ message: 'overloaded', type: 'server_error', code: 'overloaded' });
    });

    it('consumes one step per attempt, so a retrying client sees the failure then the reply', async () => {
      const retrying = new OpenAI({ baseURL: upstream.url, apiKey: 'test', maxRetries: 1 });
      upstream.enqueue({ kind: 'error', status: 500, headers: { 'retry-after-ms': '10' } });
      upstream.enqueue({ kind: 'reply', content: 'second time lucky' });
      const completion = await retrying.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
      expect(completion.choices[0]?.message.content).toBe('second time lucky');
      expect(upstream.requests.map((request) => request.step?.kind)).toEqual(['error', 'reply']);
    });

    it('gives the AI SDK an APICallError with the status', async () => {
      upstream.enqueue({ kind: 'error', status: 401 });
      const error = await generateText({ model: sdk('scripted-model'), prompt: 'x', maxRetries: 0 }).catch((caught: unknown) => caught);
      expect(APICallError.isInstance(error)).toBe(true);
      expect((error as APICallError).statusCode).toBe(401);
    });

    it('hangs until the client aborts, and records the abort', async () => {
      upstream.enqueue({ kind: 'hang' });
      const controller = new AbortController();
      const pending = openai.chat.completions
        .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { signal: controller.signal })
        .catch((caught: unknown) => caught);
      const [request] = await upstream.waitForRequests(1);
      expect(request?.aborted).toBe(false);
      controller.abort();
      expect(await pending).toBeInstanceOf(APIUserAbortError);
      await upstream.waitUntil(() => request?.aborted === true, { description: 'the abort to be recorded' });
      expect(request?.completed).toBe(false);
    });

    it('can stall a stream after some chunks, and records the reader leaving', async () => {
      upstream.enqueue({ kind: 'hang', content: 'partial answer', chunkCount: 2, afterChunks: 1 });
      const controller = new AbortController();
      const stream = await openai.chat.completions.create(
        { model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true },
        { signal: controller.signal },
      );
      const received: string[] = [];
      let error: unknown;
      try {
        // The first content piece arrives, then nothing: abort once it is seen.
        for await (const chunk of stream) {
          received.push(chunk.choices[0]?.delta.content ?? '');
          if (received.join('') === 'partial') controller.abort();
        }
      } catch (caught) {
        error = caught;
      }
      expect(received.join('')).toBe('partial');
      expect(error === undefined || error instanceof APIUserAbortError).toBe(true);
      await upstream.waitUntil(() => upstream.lastRequest().aborted, { description: 'the abort to be recorded' });
    });

    it('cuts the socket mid-stream so the client stream throws after the delivered chunks', async () => {
      upstream.enqueue({ kind: 'disconnect', chunks: ['first ', 'second ', 'third'], afterChunks: 2, delayMs: 10 });
      const stream = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
      const { items, error } = await collect(stream);
      expect(error).toBeInstanceOf(Error);
      expect(contentOf(items)).toBe('first second ');
      expect(upstream.lastRequest()).toMatchObject({ aborted: false, completed: false });
    });

    it('cuts the socket before answering a non-streamed request', async () => {
      upstream.enqueue({ kind: 'disconnect' });
      const error = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(APIConnectionError);
    });

    it('ends hanging requests when it closes, without counting them as client aborts', async () => {
      const own = await startScriptedUpstream();
      own.enqueue({ kind: 'hang' });
      const client = new OpenAI({ baseURL: own.url, apiKey: 'test', maxRetries: 0 });
      const pending = client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
      await own.waitForRequests(1);
      await own.close();
      expect(await pending).toBeInstanceOf(APIConnectionError);
      expect(own.lastRequest().aborted).toBe(false);
    });
  });

  describe('scripting and recording', () => {
    it('matches model-scoped steps first and leaves other models to unscoped steps and the default', async () => {
      upstream.enqueue({ kind: 'error', status: 503 }, { model: 'primary' });
      upstream.enqueue({ kind: 'reply', content: 'from any model' });
      upstream.enqueue({ kind: 'reply', content: 'from the fallback' }, { model: 'fallback' });
      const ask = (model: string) =>
        openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }).then(
          (completion) => completion.choices[0]?.message.content,
          (error: unknown) => (error instanceof APIError ? error.status : error),
        );
      expect(await ask('fallback')).toBe('from the fallback');
      expect(await ask('other')).toBe('from any model');
      expect(await ask('primary')).toBe(503);
      expect(await ask('primary')).toBe(DEFAULT_REPLY_CONTENT);
      expect(upstream.pendingSteps).toBe(0);
    });

    it('records bodies and headers as received', async () => {
      await openai.chat.completions.create({
        model: 'gpt-test',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello' },
        ],
        temperature: 0.2,
        tools: [weatherTool],
      });
      const recorded = upstream.lastRequest();
      expect(recorded).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
      expect(recorded.body).toEqual({
        model: 'gpt-test',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello' },
        ],
        temperature: 0.2,
        tools: [weatherTool],
      });
      expect(recorded.headers.authorization).toBe('Bearer test');
      expect(recorded.headers['content-type']).toContain('application/json');
      expect(recorded.receivedAt).toBeInstanceOf(Date);

      await fetch(`${upstream.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [] }),
      });
      expect(upstream.lastRequest().headers.authorization).toBeUndefined();
    });

    it('rejects a malformed chat request without consuming the script', async () => {
      upstream.enqueue({ kind: 'reply', content: 'kept' });
      const response = await fetch(`${upstream.url}/chat/completions`, { method: 'POST', body: '{"messages":' });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
      expect(upstream.pendingSteps).toBe(1);
    });

    it('refuses an inconsistent step when it is enqueued', () => {
      expect(() => upstream.enqueue({ kind: 'reply', content: 'abc', chunks: ['a', 'b'] })).toThrow(/concatenate/);
      expect(() => upstream.enqueue({ kind: 'error', status: 200 })).toThrow(/status/);
    });

    it('lists and retrieves the settable models', async () => {
      upstream.models = ['model-a', 'vendor/model-b'];
      const listed = [];
      for await (const model of openai.models.list()) listed.push(model);
      expect(listed).toMatchObject([
        { id: 'model-a', object: 'model' },
        { id: 'vendor/model-b', object: 'model' },
      ]);
      expect((await openai.models.retrieve('vendor/model-b')).id).toBe('vendor/model-b');
      await expect(openai.models.retrieve('missing')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('answers unknown routes with an OpenAI-shaped 404', async () => {
      const response = await fetch(`${upstream.url}/completions`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(404);
      expect(response.headers.get('x-request-id')).toBe(upstream.lastRequest().id);
      expect(await response.json()).toMatchObject({ error: { message: 'Invalid URL (POST /v1/completions)', type: 'invalid_request_error' } });
    });
  });

  describe('embeddings', () => {
    it('returns deterministic unit vectors through the openai client (base64) and as floats', async () => {
      const embedded = await openai.embeddings.create({ model: 'embed-test', input: ['alpha', 'beta'] });
      expect(upstream.lastRequest().body).toMatchObject({ encoding_format: 'base64' });
      expect(embedded.data.map((item) => item.embedding)).toEqual([fakeEmbedding('alpha'), fakeEmbedding('beta')]);
      expect(embedded.data[0]?.embedding).toHaveLength(8);
      expect(Math.hypot(...fakeEmbedding('alpha'))).toBeCloseTo(1, 5);
      expect(fakeEmbedding('alpha')).not.toEqual(fakeEmbedding('beta'));
      const tokens = countTokens('alpha') + countTokens('beta');
      expect(embedded.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });

      const floats = await openai.embeddings.create({ model: 'embed-test', input: 'alpha', dimensions: 3, encoding_format: 'float' });
      expect(floats.data[0]?.embedding).toEqual(fakeEmbedding('alpha', 3));
    });

    it('takes only steps scripted for the embeddings route', async () => {
      upstream.enqueue({ kind: 'reply', content: 'for chat' });
      upstream.enqueue({ kind: 'error', status: 500 }, { route: 'embeddings' });
      await expect(openai.embeddings.create({ model: 'embed-test', input: 'x' })).rejects.toMatchObject({ status: 500 });
      const chat = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
      expect(chat.choices[0]?.message.content).toBe('for chat');
    });
  });
});
