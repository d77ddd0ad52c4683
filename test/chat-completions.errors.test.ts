import net from 'node:net';
import type { AddressInfo } from 'node:net';
import OpenAI, { RateLimitError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type ApiResponse, type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const UPSTREAM_KEY = 'sk-upstream-secret-0001';
/** Not shaped like a well-known key, so only scrubbing the connection's own key can hide it. */
const LEAKY_KEY = 'leaky-credential-7Hq2Zr9Xw4';
/** AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES here: it bounds what tenant connections may send. */
const TENANT_RESPONSE_LIMIT = 16_384;

/** Asserts the status and that the body is exactly OpenAI's error shape; returns the error for further checks. */
function expectOpenAiError(
  response: ApiResponse<OpenAiErrorBody>,
  status: number,
  expected: Partial<OpenAiErrorBody['error']>,
): OpenAiErrorBody['error'] {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/json');
  expect(Object.keys(response.body)).toEqual(['error']);
  expect(Object.keys(response.body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(response.body.error.message).toEqual(expect.any(String));
  expect(response.body.error).toMatchObject(expected);
  return response.body.error;
}

/** A local port nothing listens on: bound, then closed. */
async function deadPort(): Promise<number> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => listener.close((error) => (error ? reject(error) : resolve())));
  return port;
}

describe.each(dialects)('chat completions errors (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let http: HttpClient;

  /** `key: null` sends no credentials at all. */
  function chat(model: string, extra: Record<string, unknown> = {}, key: string | null = server.adminKey) {
    return http.post<OpenAiErrorBody>('/v1/chat/completions', {
      ...(key === null ? {} : { key }),
      body: { model, messages: [{ role: 'user', content: 'Hello' }], ...extra },
    });
  }

  async function createConnection(body: Record<string, unknown>): Promise<void> {
    const response = await http.post('/api/v1/Connection', {
      key: server.adminKey,
      body: { type: 'OpenAiCompatible', baseUrl: upstream.url, ...body },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
  }

  async function setDisabledTypes(types: string[]): Promise<void> {
    const response = await http.put('/api/v1/accounts', { key: server.adminKey, body: { parameters: { disabledConnectionTypes: types } } });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  }

  beforeAll(async () => {
    upstream = await startScriptedUpstream({ models: ['gpt-test', 'stuck-model', 'any-model'] });
    server = await startTestServer(dialect, {
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: UPSTREAM_KEY,
      AGENTRY_OUTBOUND_ALLOW: '127.0.0.0/8',
      AGENTRY_SSE_PING_INTERVAL_MS: '100',
      AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES: String(TENANT_RESPONSE_LIMIT),
    });
    http = httpClient(server.url);
    await createConnection({ name: 'slowpoke', apiKey: 'tenant-credential-slow', models: ['stuck-model'], timeoutMs: 1_000 });
    await createConnection({ name: 'leaky', apiKey: LEAKY_KEY, models: ['any-model'] });
    await createConnection({ name: 'locked', apiKey: 'tenant-credential-locked', models: ['any-model'], accessMode: 'Restricted' });
    await createConnection({ name: 'nowhere', baseUrl: `http://127.0.0.1:${await deadPort()}/v1`, models: ['any-model'] });
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });
  beforeEach(() => upstream.reset());

  describe('requests the gateway refuses', () => {
    it('answers an unknown connection with 404 naming it', async () => {
      const error = expectOpenAiError(await chat('@nope/x'), 404, { type: 'not_found_error', param: null });
      expect(error.message).toContain('nope');
      expect(upstream.requests).toHaveLength(0);
    });

    it('answers an id-like model that names no gateway with 404', async () => {
      const error = expectOpenAiError(await chat('gpt-4o-mini'), 404, { type: 'not_found_error', param: null });
      expect(error.message).toContain('gpt-4o-mini');
      expect(upstream.requests).toHaveLength(0);
    });

    it('answers malformed messages with 400 naming the offending path', async () => {
      const badRole = await http.post<OpenAiErrorBody>('/v1/chat/completions', {
        key: server.adminKey,
        body: { model: '@openai/gpt-test', messages: [{ role: 'wizard', content: 'x' }] },
      });
      expect(expectOpenAiError(badRole, 400, { type: 'invalid_request_error', param: 'messages[0].role' }).message).toContain('messages[0].role');

      const badContent = await http.post<OpenAiErrorBody>('/v1/chat/completions', {
        key: server.adminKey,
        body: { model: '@openai/gpt-test', messages: [{ role: 'user', content: 'fine' }, { role: 'user', content: 42 }] },
      });
      expectOpenAiError(badContent, 400, { type: 'invalid_request_error', param: 'messages[1].content' });

      const noMessages = await http.post<OpenAiErrorBody>('/v1/chat/completions', { key: server.adminKey, body: { model: '@openai/gpt-test' } });
      expectOpenAiError(noMessages, 400, { type: 'invalid_request_error', param: 'messages' });
      expect(upstream.requests).toHaveLength(0);
    });

    it('refuses n = 2 with 400', async () => {
      expectOpenAiError(await chat('@openai/gpt-test', { n: 2 }), 400, { type: 'invalid_request_error', param: 'n' });
      expect(upstream.requests).toHaveLength(0);
    });

    it('answers a request without a key with 401 in OpenAI shape', async () => {
      expectOpenAiError(await chat('@openai/gpt-test', {}, null), 401, {
        type: 'authentication_error',
        code: 'missing_credentials',
        param: null,
      });
      expectOpenAiError(await chat('@openai/gpt-test', {}, 'sk-not-a-real-key-000000'), 401, { type: 'authentication_error' });
      expect(upstream.requests).toHaveLength(0);
    });

    it('refuses a connection type the governance policy disables, until it is enabled again', async () => {
      await setDisabledTypes(['OpenAiCompatible']);
      try {
        const error = expectOpenAiError(await chat('@openai/gpt-test'), 403, { type: 'permission_error', code: 'connection_type_disabled' });
        expect(error.message).toContain('disabledConnectionTypes');
        expectOpenAiError(await chat('@leaky/any-model'), 403, { code: 'connection_type_disabled' });
      } finally {
        await setDisabledTypes([]);
      }
      expect(upstream.requests).toHaveLength(0);
      expect((await chat('@openai/gpt-test')).status).toBe(200);
    });

    it('refuses a Restricted connection called directly with 403', async () => {
      const error = expectOpenAiError(await chat('@locked/any-model'), 403, { type: 'permission_error', code: 'connection_restricted' });
      expect(error.message).toContain('locked');
      expect(upstream.requests).toHaveLength(0);
    });
  });

  describe('provider failures', () => {
    it('answers a provider 429 whose Retry-After exceeds the retry cap with 429 and Retry-After, without retrying', async () => {
      upstream.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '30' } });
      const response = await chat('@openai/gpt-test');
      expectOpenAiError(response, 429, { type: 'rate_limit_error', code: 'upstream_rate_limited' });
      expect(response.headers.get('retry-after')).toBe('30');
      expect(upstream.requests).toHaveLength(1);
    });

    it('gives the openai client a RateLimitError with Retry-After, streamed requests included', async () => {
      upstream.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '30' } });
      const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: server.adminKey, maxRetries: 0, timeout: 10_000 });
      const error = await openai.chat.completions
        .create({ model: '@openai/gpt-test', messages: [{ role: 'user', content: 'x' }], stream: true })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).headers.get('retry-after')).toBe('30');
      expect((error as RateLimitError).code).toBe('upstream_rate_limited');
      expect(upstream.requests).toHaveLength(1);
    });

    it('answers 502 upstream_error after three failed attempts', async () => {
      for (let attempt = 0; attempt < 3; attempt += 1) upstream.enqueue({ kind: 'error', status: 500 });
      const error = expectOpenAiError(await chat('@openai/gpt-test'), 502, { type: 'upstream_error', code: 'upstream_error' });
      expect(error.message).toContain('500');
      expect(upstream.requests).toHaveLength(3);
      expect(upstream.requests.every((request) => request.step?.kind === 'error')).toBe(true);
      expect(upstream.pendingSteps).toBe(0);
    });

    it('retries a provider 500 and answers 200 when the next attempt succeeds', async () => {
      upstream.enqueue({ kind: 'error', status: 500 });
      upstream.enqueue({ kind: 'reply', content: 'second time lucky' });
      const response = await http.post<{ model: string; choices: Array<{ message: { content: string } }> }>('/v1/chat/completions', {
        key: server.adminKey,
        body: { model: '@openai/gpt-test', messages: [{ role: 'user', content: 'x' }] },
      });
      expect(response.status).toBe(200);
      expect(response.body.choices[0]?.message.content).toBe('second time lucky');
      expect(upstream.requests.map((request) => request.step?.kind)).toEqual(['error', 'reply']);
    });

    it("answers 504 upstream_timeout when the provider does not answer within the connection's timeout", async () => {
      // One hang only: a provider that timed out may still be working, so the call is not retried
      // (a retry would take the default reply and answer 200).
      upstream.enqueue({ kind: 'hang' }, { model: 'stuck-model' });
      expectOpenAiError(await chat('@slowpoke/stuck-model'), 504, { type: 'timeout_error', code: 'upstream_timeout' });
      expect(upstream.requests).toHaveLength(1);
      await upstream.waitUntil(() => upstream.requests.every((request) => request.aborted), {
        description: 'the timed-out provider requests to be closed',
      });
    });

    it("answers a provider 401 with 502 whose message does not reveal the connection's key", async () => {
      upstream.enqueue({ kind: 'error', status: 401, message: `Incorrect API key provided: ${LEAKY_KEY}. Check your key.` });
      const response = await chat('@leaky/any-model');
      const error = expectOpenAiError(response, 502, { type: 'upstream_error', code: 'upstream_auth_failed' });
      expect(JSON.stringify(response.body)).not.toContain(LEAKY_KEY);
      expect(error.message).toContain('leaky');
      expect([...response.headers.values()].some((value) => value.includes(LEAKY_KEY))).toBe(false);
      expect(upstream.lastRequest().headers.authorization).toBe(`Bearer ${LEAKY_KEY}`);
      expect(upstream.requests).toHaveLength(1);
    });

    it('answers 502 upstream_invalid_reply when the provider answers 200 with something other than a JSON object, and records the failed call', async () => {
      for (const rawBody of ['<html>Service busy</html>', '[{"model":"broken-model"}]', '{"model":"broken-model",']) {
        upstream.enqueue({ kind: 'reply', rawBody }, { model: 'broken-model' });
        const error = expectOpenAiError(await chat('@openai/broken-model'), 502, { type: 'upstream_error', code: 'upstream_invalid_reply' });
        expect(error.message).toContain("'openai'");
      }
      expect(upstream.pendingSteps).toBe(0);
      await server.server.container.usageRecorder.flush();
      const usage = await http.get<{ totals: { requests: number; errors: number } }>('/api/v1/usage?model=@openai/broken-model', { key: server.adminKey });
      expect(usage.status).toBe(200);
      expect(usage.body.totals).toMatchObject({ requests: 3, errors: 3 });
    });

    it("answers 502 upstream_response_too_large, without retrying, when a tenant connection's provider sends more than AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES", async () => {
      const content = 'z'.repeat(2 * TENANT_RESPONSE_LIMIT);
      upstream.enqueue({ kind: 'reply', content }, { model: 'any-model' });
      const error = expectOpenAiError(await chat('@leaky/any-model'), 502, { type: 'upstream_error', code: 'upstream_response_too_large' });
      expect(error.message).toContain("'leaky'");
      expect(error.message).toContain('AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES');
      expect(upstream.requests).toHaveLength(1);
      // The operator's own connection has no such limit.
      upstream.enqueue({ kind: 'reply', content });
      const operator = (await chat('@openai/gpt-test')) as unknown as ApiResponse<{ choices: Array<{ message: { content: string } }> }>;
      expect(operator.status).toBe(200);
      expect(operator.body.choices[0]?.message.content).toBe(content);
    });

    it('answers 502 upstream_unreachable when nothing listens at the connection address', async () => {
      const error = expectOpenAiError(await chat('@nowhere/any-model'), 502, { type: 'upstream_error', code: 'upstream_unreachable' });
      expect(error.message).toContain('nowhere');
    });
  });
});
