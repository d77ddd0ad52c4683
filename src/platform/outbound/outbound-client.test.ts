import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOutboundClient, type OutboundClientOptions } from './outbound-client.js';
import { OutboundAddressRefusedError } from './outbound-errors.js';
import { OutboundPolicy } from './outbound-policy.js';

/** Rejects after `ms` so no wait in these tests can hang the run. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}.`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('outbound client: allowed calls on a real socket', () => {
  let server: Server;
  let port: number;
  let received: Array<{ method?: string; url?: string; header?: string; body: string }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      // `/slow` never answers: the abort test decides what happens to it.
      if (request.url === '/slow') return;
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ method: request.method, url: request.url, header: request.headers['x-probe'] as string | undefined, body });
        response.end('reached');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    received = [];
  });

  async function fetchText(options: OutboundClientOptions, url: string): Promise<string> {
    const client = createOutboundClient({ connectTimeoutMs: 2_000, headersTimeoutMs: 5_000, ...options });
    try {
      const response = await client.request(url);
      return await response.body.text();
    } finally {
      await client.close();
    }
  }

  it('reaches localhost when the allow list names it, and only by that name', async () => {
    const policy = OutboundPolicy.fromSetting('LOCALHOST');
    expect(await fetchText({ policy }, `http://localhost:${port}/by-name`)).toBe('reached');
    await expect(fetchText({ policy }, `http://127.0.0.1:${port}/`)).rejects.toBeInstanceOf(OutboundAddressRefusedError);
    expect(received.map((request) => request.url)).toEqual(['/by-name']);
  });

  it('reaches loopback by literal and by name when 127.0.0.0/8 is allowed', async () => {
    const policy = OutboundPolicy.fromSetting('127.0.0.0/8');
    expect(await fetchText({ policy }, `http://127.0.0.1:${port}/literal`)).toBe('reached');
    expect(await fetchText({ policy }, `http://localhost:${port}/name`)).toBe('reached');
    expect(received.map((request) => request.url)).toEqual(['/literal', '/name']);
  });

  it('lets a trusted client reach loopback under the default policy', async () => {
    expect(await fetchText({ policy: new OutboundPolicy(), trusted: true }, `http://127.0.0.1:${port}/trusted`)).toBe('reached');
    expect(received).toHaveLength(1);
  });

  it('passes method, headers and body through', async () => {
    const client = createOutboundClient({ policy: OutboundPolicy.fromSetting('127.0.0.1') });
    try {
      const response = await client.request(`http://127.0.0.1:${port}/echo`, {
        method: 'POST',
        headers: { 'x-probe': 'yes', 'content-type': 'application/json' },
        body: '{"a":1}',
      });
      await response.body.dump();
      expect(response.statusCode).toBe(200);
    } finally {
      await client.close();
    }
    expect(received).toEqual([{ method: 'POST', url: '/echo', header: 'yes', body: '{"a":1}' }]);
  });

  it('aborts an in-flight request when its signal fires, closing the socket', async () => {
    const client = createOutboundClient({ policy: OutboundPolicy.fromSetting('127.0.0.0/8'), headersTimeoutMs: 10_000 });
    const controller = new AbortController();
    try {
      const arrived = once(server, 'request') as Promise<[IncomingMessage]>;
      const pending = client.request(`http://127.0.0.1:${port}/slow`, { signal: controller.signal });
      pending.catch(() => undefined);
      const [slowRequest] = await within(arrived, 5_000, 'the slow request to arrive');
      const socketClosed = once(slowRequest.socket, 'close');
      controller.abort();
      await expect(within(pending, 2_000, 'the request to reject')).rejects.toMatchObject({ name: 'AbortError' });
      await within(socketClosed, 2_000, 'the server to see the socket close');
    } finally {
      await client.close();
    }
  });
});
