import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import type pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UnauthenticatedError, ValidationError } from '../errors.js';
import { createLogger } from '../logging/logger.js';
import { createMetrics, type HttpMetrics } from '../metrics/metrics.js';
import { type AppInstance, createServer } from './create-server.js';
import { type DirectExchange, type DirectReply, DirectRoutes } from './direct-routes.js';
import { directBodyValidator, fastAcceptingValidator } from './fast-accepting-validator.js';
import { SseRelay } from './sse-relay.js';

const PATH = '/v1/echo';
const BODY_LIMIT = 1_024;
const KEY = 'Bearer right';

const echoBody = z.object({ text: z.string().min(1), stream: z.boolean().optional() });
type EchoBody = z.infer<typeof echoBody>;
const isWellFormed = (body: unknown) => typeof (body as EchoBody | null)?.text === 'string' && (body as EchoBody).text.length > 0;

interface Harness {
  readonly app: AppInstance;
  readonly url: string;
  readonly metrics: HttpMetrics;
  readonly directRoutes: DirectRoutes;
  readonly lines: string[];
  /** Which side served each request that reached a handler. */
  readonly served: Array<'direct' | 'fastify'>;
  readonly exchanges: DirectExchange[];
  /** What the next direct reply will be, when a test wants to shape it. */
  nextReply?: (body: EchoBody, exchange: DirectExchange) => Promise<DirectReply>;
}

function authenticate(headers: http.IncomingHttpHeaders): Promise<string> | string {
  if (headers.authorization === 'Bearer later') return Promise.resolve('later');
  if (headers.authorization !== KEY) throw new UnauthenticatedError('invalid_credentials', 'The API key is not valid.');
  return 'right';
}

async function startHarness(): Promise<Harness> {
  const lines: string[] = [];
  const sink = { write: (line: string) => void lines.push(line) } as pino.DestinationStream;
  const logger = createLogger('info', sink);
  const metrics = createMetrics();
  const directRoutes = new DirectRoutes({ logger, metrics, bodyLimitBytes: BODY_LIMIT });
  const app = createServer({ logger, metrics, bodyLimitBytes: BODY_LIMIT, directRoutes });
  const validator = fastAcceptingValidator(isWellFormed);
  const harness: Harness = { app, url: '', metrics, directRoutes, lines, served: [], exchanges: [] };
  app.addHook('onRequest', (request, _reply, done) => {
    let verdict: string | Promise<string>;
    try {
      verdict = authenticate(request.headers);
    } catch (error) {
      done(error as Error);
      return;
    }
    void Promise.resolve(verdict).then(() => done(), done);
  });
  app.post(PATH, { schema: { body: echoBody }, validatorCompiler: validator }, async (request) => {
    harness.served.push('fastify');
    return { echoed: request.body.text };
  });
  const validate = directBodyValidator<EchoBody>(echoBody, validator, PATH);
  directRoutes.add({
    path: PATH,
    admit: (request) => authenticate(request.headers),
    serve: (_admission, body, exchange) => {
      const valid = validate(body);
      harness.served.push('direct');
      harness.exchanges.push(exchange);
      if (harness.nextReply) return harness.nextReply(valid, exchange);
      if (valid.text === 'explode') throw new Error('the handler broke: secret detail');
      return Promise.resolve({ kind: 'json', headers: { 'x-echo': 'yes' }, body: { echoed: valid.text } });
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return Object.assign(harness, { url: `http://127.0.0.1:${port}` });
}

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A request with exactly these headers and body; `chunks` sends the body chunked (no Content-Length). */
function send(url: string, options: { path?: string; headers?: Record<string, string>; body?: string; chunked?: boolean }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body ?? '';
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: KEY, ...options.headers };
    if (options.chunked) headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] = String(Buffer.byteLength(body));
    const request = http.request(`${url}${options.path ?? PATH}`, { method: 'POST', headers, agent: false });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const accessLines = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'request completed');

describe('DirectRoutes', () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness();
  });
  afterEach(async () => {
    await harness.app.close();
  });

  it('serves the plain shape of its request, and leaves every other shape to the Fastify route', async () => {
    const plain = await send(harness.url, { body: '{"text":"hi"}' });
    expect(plain).toMatchObject({ status: 200, body: '{"echoed":"hi"}' });
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(plain.headers['x-echo']).toBe('yes');
    expect(harness.served).toEqual(['direct']);

    const others = [
      await send(harness.url, { path: `${PATH}?x=1`, body: '{"text":"hi"}' }),
      await send(harness.url, { path: `${PATH}/`, body: '{"text":"hi"}' }),
      await send(harness.url, { body: '{"text":"hi"}', chunked: true }),
      await send(harness.url, { body: '{"text":"hi"}', headers: { 'content-type': 'application/vnd.api+json' } }),
    ];
    expect(others.map((answer) => answer.status)).toEqual([200, 200, 200, 415]);
    expect(others.slice(0, 3).map((answer) => answer.body)).toEqual(Array(3).fill('{"echoed":"hi"}'));
    expect(harness.served).toEqual(['direct', 'fastify', 'fastify', 'fastify']);

    expect(await send(harness.url, { body: '{"text":"hi"}', headers: { 'content-type': 'Application/JSON; charset=utf-8' } })).toMatchObject({ status: 200 });
    expect(harness.served.at(-1)).toBe('direct');
  });

  it.each([
    ['an invalid body', '{"text":""}'],
    ['a body that is not JSON', '{"text":'],
    ['an empty body', ''],
    ['a body with __proto__', '{"text":"hi","__proto__":{"polluted":true}}'],
    ['a body with constructor.prototype', '{"text":"hi","constructor":{"prototype":{"polluted":true}}}'],
    ['a body over the limit', JSON.stringify({ text: 'x'.repeat(BODY_LIMIT) })],
  ])('answers %s exactly as the Fastify route does', async (_case, body) => {
    const direct = await send(harness.url, { body });
    const fastify = await send(harness.url, { body, chunked: true });
    expect(harness.served).toEqual([]);
    expect(direct.status).toBeGreaterThanOrEqual(400);
    expect(direct.status).toBe(fastify.status);
    expect(JSON.parse(direct.body)).toEqual(JSON.parse(fastify.body));
    expect(direct.headers['content-type']).toBe(fastify.headers['content-type']);
  });

  it('names the field and the rule of an invalid body in OpenAI’s error shape under /v1', async () => {
    const answer = await send(harness.url, { body: '{"text":""}' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { type: 'invalid_request_error', param: 'text', code: 'validation_failed' } });
  });

  it('closes the connection after refusing a body it did not read', async () => {
    const answer = await send(harness.url, { body: JSON.stringify({ text: 'x'.repeat(BODY_LIMIT) }) });
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('authenticates before it reads the body, synchronously or not', async () => {
    const anonymous = await send(harness.url, { body: '{"text":', headers: { authorization: 'Bearer wrong' } });
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ error: { code: 'invalid_credentials', type: 'authentication_error' } });
    const later = await send(harness.url, { body: '{"text":"hi"}', headers: { authorization: 'Bearer later' } });
    expect(later).toMatchObject({ status: 200, body: '{"echoed":"hi"}' });
    expect(harness.served).toEqual(['direct']);
  });

  it('answers a handler’s unexpected error with 500, its detail only in the log', async () => {
    const answer = await send(harness.url, { body: '{"text":"explode"}' });
    expect(answer.status).toBe(500);
    expect(answer.body).not.toContain('secret detail');
    const failure = harness.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'request failed');
    expect(JSON.stringify(failure)).toContain('secret detail');
  });

  it('answers a domain error with its status and Retry-After', async () => {
    harness.nextReply = () => {
      const error = Object.assign(ValidationError.field('body.text', 'too_long', 'is too long'), { retryAfterSeconds: 2.5 });
      return Promise.reject(error);
    };
    const answer = await send(harness.url, { body: '{"text":"hi"}' });
    expect(answer.status).toBe(400);
    expect(answer.headers['retry-after']).toBe('3');
    expect(JSON.parse(answer.body)).toMatchObject({ error: { param: 'text', message: 'text: is too long' } });
  });

  it('keeps a sane client correlation id, replaces any other, and logs the access line under it', async () => {
    const kept = await send(harness.url, { body: '{"text":"hi"}', headers: { 'x-correlation-id': 'client-id-1' } });
    expect(kept.headers['x-correlation-id']).toBe('client-id-1');
    const replaced = await send(harness.url, { body: '{"text":"hi"}', headers: { 'x-correlation-id': 'not sane!' } });
    expect(replaced.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await send(harness.url, { body: '{"text":""}', headers: { 'x-correlation-id': 'client-id-2' } });
    expect(refused.headers['x-correlation-id']).toBe('client-id-2');

    const lines = accessLines(harness.lines);
    expect(lines.map((line) => [line.reqId, line.route, line.status])).toEqual([
      ['client-id-1', PATH, 200],
      [replaced.headers['x-correlation-id'], PATH, 200],
      ['client-id-2', PATH, 400],
    ]);
    const exposition = await harness.metrics.registry.metrics();
    expect(exposition).toMatch(new RegExp(`agentry_http_requests_total\\{method="POST",route="${PATH}",status="200"\\} 2`));
    expect(exposition).toMatch(new RegExp(`agentry_http_requests_total\\{method="POST",route="${PATH}",status="400"\\} 1`));
  });

  it('relays an event stream as it is produced, with the server-sent event headers', async () => {
    const events = new PassThrough();
    harness.nextReply = () => Promise.resolve({ kind: 'stream', headers: { 'x-echo': 'stream' }, body: events });
    const answer = await new Promise<{ headers: http.IncomingHttpHeaders; first: string; rest: Promise<string> }>((resolve, reject) => {
      const request = http.request(`${harness.url}${PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: KEY } });
      request.on('response', (response) => {
        response.setEncoding('utf8');
        response.once('data', (first: string) => {
          let rest = '';
          response.on('data', (chunk: string) => (rest += chunk));
          resolve({ headers: response.headers, first, rest: new Promise((done) => response.on('end', () => done(rest))) });
        });
      });
      request.on('error', reject);
      request.end('{"text":"hi"}');
      // The second event is written only after the first has reached the client.
      events.write('data: 1\n\n');
    });
    expect(answer.first).toBe('data: 1\n\n');
    expect(answer.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(answer.headers['x-echo']).toBe('stream');
    events.end('data: [DONE]\n\n');
    expect(await answer.rest).toBe('data: [DONE]\n\n');
  });

  it('cuts the response and logs when the stream fails after it began', async () => {
    const events = new PassThrough();
    harness.nextReply = () => Promise.resolve({ kind: 'stream', headers: {}, body: events });
    const outcome = await new Promise<string>((resolve) => {
      const request = http.request(`${harness.url}${PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: KEY } });
      request.on('response', (response) => {
        response.once('data', () => events.destroy(new Error('the provider went away')));
        response.on('end', () => resolve('ended'));
        response.on('error', () => resolve('cut'));
        response.on('aborted', () => resolve('cut'));
      });
      request.on('error', () => resolve('cut'));
      request.end('{"text":"hi"}');
      events.write('data: 1\n\n');
    });
    expect(outcome).toBe('cut');
    const failure = harness.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'streamed response failed');
    expect(JSON.stringify(failure)).toContain('the provider went away');
  });

  it('tells the handler when the client goes away mid-stream, stops the stream, and still writes the access line', async () => {
    const events = Readable.from(['data: 1\n\n', new Promise<string>(() => {})]);
    harness.nextReply = () => Promise.resolve({ kind: 'stream', headers: {}, body: events });
    await new Promise<void>((resolve, reject) => {
      const request = http.request(`${harness.url}${PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: KEY } });
      request.on('response', (response) => response.once('data', () => {
        request.destroy();
        resolve();
      }));
      request.on('error', () => {});
      request.end('{"text":"hi"}');
      setTimeout(() => reject(new Error('no response')), 5_000);
    });
    const exchange = harness.exchanges[0]!;
    await new Promise<void>((resolve) => (exchange.disconnect.aborted ? resolve() : exchange.disconnect.once('abort', resolve)));
    expect(exchange.disconnect.aborted).toBe(true);
    await expect.poll(() => events.destroyed).toBe(true);
    await expect.poll(() => accessLines(harness.lines).length).toBe(1);
  });

  it('writes a relay straight to the response, and stops its source when the client goes away', async () => {
    const source = new PassThrough();
    const relay = new SseRelay(source, { pingIntervalMs: 0 });
    harness.nextReply = () => Promise.resolve({ kind: 'stream', headers: {}, body: relay });
    const first = await new Promise<string>((resolve, reject) => {
      const request = http.request(`${harness.url}${PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: KEY } });
      request.on('response', (response) => response.once('data', (chunk: Buffer) => {
        request.destroy();
        resolve(chunk.toString('utf8'));
      }));
      request.on('error', () => {});
      request.end('{"text":"hi"}');
      source.write('data: 1\n\n');
      setTimeout(() => reject(new Error('no response')), 5_000);
    });
    expect(first).toBe('data: 1\n\n');
    await expect.poll(() => source.destroyed).toBe(true);
    expect(relay.destroyed).toBe(true);
    await expect.poll(() => accessLines(harness.lines).length).toBe(1);
  });

  it('answers 503 with Fastify’s body once the server closes', async () => {
    harness.directRoutes.close();
    const answer = await send(harness.url, { body: '{"text":"hi"}' });
    expect(answer.status).toBe(503);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toEqual({ error: 'Service Unavailable', message: 'Service Unavailable', statusCode: 503 });
    expect(harness.served).toEqual([]);
  });

  it('refuses a second route for the same path', () => {
    expect(() => harness.directRoutes.add({ path: PATH, admit: () => null, serve: () => Promise.reject(new Error('unused')) })).toThrow(/already registered/);
  });
});
