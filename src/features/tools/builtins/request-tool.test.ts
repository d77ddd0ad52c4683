import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OutboundClient, OutboundPolicy, createOutboundClient } from '../../../platform/outbound/index.js';
import type { ToolContext, ToolResult } from '../agent-tool.js';
import { requestTool } from './request-tool.js';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

function context(signal = new AbortController().signal): ToolContext {
  return { signal, timeZone: null, externalUserId: null } as unknown as ToolContext;
}

function read(result: ToolResult): Record<string, unknown> {
  return JSON.parse(result.content) as Record<string, unknown>;
}

describe('Request tool against a real local server', () => {
  let server: Server;
  let base: string;
  let received: Received[] = [];
  let allowed: OutboundClient;
  let refused: OutboundClient;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ method: request.method, url: request.url, headers: request.headers, body });
        switch (request.url) {
          case '/json':
            response.setHeader('content-type', 'application/json; charset=utf-8');
            return response.end(JSON.stringify({ hello: 'world', echo: body ? (JSON.parse(body) as unknown) : null }));
          case '/text':
            response.setHeader('content-type', 'text/plain; charset=utf-8');
            return response.end('plain text é');
          case '/big':
            response.setHeader('content-type', 'application/json');
            return response.end(JSON.stringify({ data: 'x'.repeat(10_000) }));
          case '/png':
            response.setHeader('content-type', 'image/png');
            return response.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]));
          case '/missing':
            response.statusCode = 404;
            response.setHeader('content-type', 'application/json');
            return response.end('{"error":"no such thing"}');
          case '/redirect':
            response.statusCode = 303;
            response.setHeader('location', '/json');
            return response.end();
          case '/loop':
            response.statusCode = 302;
            response.setHeader('location', '/loop');
            return response.end();
          case '/slow':
            return; // never answers
          case '/slow-body':
            response.setHeader('content-type', 'text/plain');
            response.write('first part, then nothing');
            return; // the body never ends
          default:
            response.statusCode = 500;
            return response.end('unexpected path');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    allowed = createOutboundClient({ policy: OutboundPolicy.fromSetting('127.0.0.0/8') });
    refused = createOutboundClient({ policy: new OutboundPolicy() });
  });
  afterAll(async () => {
    await Promise.all([allowed.close(), refused.close()]);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    received = [];
  });

  it('GETs JSON and returns status, content type and the parsed body', async () => {
    const tool = requestTool({ outbound: allowed });
    expect(tool).toMatchObject({ name: 'Request', kind: 'builtin', requiresApproval: false });
    const result = await tool.execute({ url: `${base}/json`, headers: { 'X-Probe': 'yes' } }, context());
    expect(result.isError).toBe(false);
    expect(read(result)).toEqual({
      status: 200,
      url: `${base}/json`,
      contentType: 'application/json; charset=utf-8',
      body: { hello: 'world', echo: null },
    });
    expect(received[0]).toMatchObject({ method: 'GET', url: '/json', headers: expect.objectContaining({ 'x-probe': 'yes' }) });
  });

  it('POSTs a JSON body', async () => {
    const result = await requestTool({ outbound: allowed }).execute({ url: `${base}/json`, method: 'POST', body: { order: 42 } }, context());
    expect(read(result).body).toEqual({ hello: 'world', echo: { order: 42 } });
    expect(received[0]).toMatchObject({ method: 'POST', body: '{"order":42}', headers: expect.objectContaining({ 'content-type': 'application/json' }) });
  });

  it('returns text as text, and describes binary content without dumping it', async () => {
    const tool = requestTool({ outbound: allowed });
    expect(read(await tool.execute({ url: `${base}/text` }, context())).body).toBe('plain text é');
    const png = read(await tool.execute({ url: `${base}/png` }, context()));
    expect(png).toMatchObject({ status: 200, contentType: 'image/png', body: null, note: expect.stringContaining('image/png, 8 bytes') });
  });

  it('marks error statuses as failed calls, with what the server said', async () => {
    const result = await requestTool({ outbound: allowed }).execute({ url: `${base}/missing` }, context());
    expect(result.isError).toBe(true);
    expect(read(result)).toMatchObject({ status: 404, body: { error: 'no such thing' } });
  });

  it('follows redirects, and stops a redirect loop', async () => {
    const tool = requestTool({ outbound: allowed, maxRedirects: 3 });
    const redirected = read(await tool.execute({ url: `${base}/redirect`, method: 'POST', body: { a: 1 } }, context()));
    expect(redirected).toMatchObject({ status: 200, url: `${base}/json`, body: { hello: 'world', echo: null } });
    expect(received.map((request) => `${request.method} ${request.url}`)).toEqual(['POST /redirect', 'GET /json']);

    const loop = await tool.execute({ url: `${base}/loop` }, context());
    expect(loop.isError).toBe(true);
    expect(read(loop).error).toContain('Stopped after 3 redirects');
  });

  it('cuts a large response at the size cap, with a note', async () => {
    const result = await requestTool({ outbound: allowed, maxResponseBytes: 2048 }).execute({ url: `${base}/big` }, context());
    const body = read(result);
    expect(result.isError).toBe(false);
    expect(body).toMatchObject({ truncated: true, note: expect.stringContaining('2 KB') });
    expect(typeof body.body).toBe('string');
    expect((body.body as string).length).toBe(2048);
  });

  it('refuses loopback without the operator’s allowance, as an error result', async () => {
    const result = await requestTool({ outbound: refused }).execute({ url: `${base}/json` }, context());
    expect(result.isError).toBe(true);
    expect(read(result).error).toContain('AGENTRY_OUTBOUND_ALLOW');
    const byName = await requestTool({ outbound: refused }).execute({ url: base.replace('127.0.0.1', 'localhost') + '/json' }, context());
    expect(byName.isError).toBe(true);
    expect(read(byName).error).toContain('outbound address policy');
    expect(received).toEqual([]);
  });

  it('times out waiting for headers or for the rest of the body', async () => {
    const tool = requestTool({ outbound: allowed, timeoutMs: 300 });
    const started = Date.now();
    const headers = await tool.execute({ url: `${base}/slow` }, context());
    expect(headers.isError).toBe(true);
    expect(read(headers).error).toBe('The request timed out after 0.3 s.');
    const body = await tool.execute({ url: `${base}/slow-body` }, context());
    expect(read(body).error).toBe('The request timed out after 0.3 s.');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stops when the turn is cancelled', async () => {
    const controller = new AbortController();
    const pending = requestTool({ outbound: allowed }).execute({ url: `${base}/slow` }, context(controller.signal));
    setTimeout(() => controller.abort(new Error('turn cancelled')), 50);
    const result = await pending;
    expect(result.isError).toBe(true);
    expect(read(result).error).toBe('The request was cancelled.');
  });

  it('reports bad arguments back to the model, naming the field', async () => {
    const tool = requestTool({ outbound: allowed });
    const cases: Array<[unknown, string]> = [
      [{}, 'url:'],
      [{ url: `${base}/json`, body: { a: 1 } }, 'body: can only be sent with method POST'],
      [{ url: `${base}/json`, method: 'DELETE' }, 'method:'],
      [{ url: `${base}/json`, headers: { Host: 'evil.example' } }, 'headers.Host:'],
      [{ url: `${base}/json`, headers: { 'x-a': 'one\r\ntwo' } }, 'headers.x-a:'],
      [{ url: 'ftp://example.com/file' }, 'url: The outbound URL must use http or https'],
      [{ url: 'not a url' }, 'url: The outbound URL is not a valid absolute URL'],
      [{ url: 'http://user:secret@example.com/' }, 'url: The outbound URL must not contain a user name or password'],
    ];
    for (const [args, expected] of cases) {
      const result = await tool.execute(args, context());
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(read(result).error, JSON.stringify(args)).toContain(expected);
    }
    expect(received).toEqual([]);
  });

  it('gives the model a compact JSON schema', () => {
    const parameters = requestTool({ outbound: allowed }).parameters as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(parameters.properties)).toEqual(['url', 'method', 'headers', 'body']);
    expect(parameters.required).toEqual(['url']);
    expect(JSON.stringify(parameters)).not.toContain('$schema');
  });
});
