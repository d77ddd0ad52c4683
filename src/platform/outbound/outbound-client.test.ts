import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ERROR_BODY_BYTES, readWhole } from './dispatched-response.js';
import { type OutboundClient, createOutboundClient, type OutboundClientOptions } from './outbound-client.js';
import { OutboundAddressRefusedError } from './outbound-errors.js';
import { OutboundPolicy } from './outbound-policy.js';

/** Runs `body` with a client of its own, closed afterwards. */
async function withClient<T>(options: OutboundClientOptions, body: (client: OutboundClient) => Promise<T>): Promise<T> {
  const client = createOutboundClient(options);
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

/** Rejects after `ms` so no wait in these tests can hang the run. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}.`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const LARGE = Buffer.alloc(4 * 1024 * 1024, 'abcdefgh');

describe('outbound client: allowed calls on a real socket', () => {
  const halfOpen: ServerResponse[] = [];
  let server: Server;
  let port: number;
  let received: Array<{ method?: string; url?: string; header?: string; body: string }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      // `/slow` never answers: the abort test decides what happens to it.
      if (request.url === '/slow') return;
      // `/half` sends a first chunk and waits for the test to let `/half` finish (or cut it).
      if (request.url === '/half') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: one\n\n');
        halfOpen.push(response);
        return;
      }
      // `/large` answers 4 MB, more than any buffer on the way holds; `/large-error` the same as a 500.
      if (request.url === '/large' || request.url === '/large-error') {
        response.statusCode = request.url === '/large' ? 200 : 500;
        response.end(LARGE);
        return;
      }
      // `/chunked` answers in three writes, apart in time, with a header of its own.
      if (request.url === '/chunked') {
        response.writeHead(201, { 'x-reply': 'whole', 'content-type': 'text/plain; charset=utf-8' });
        response.write('first ');
        setTimeout(() => response.write('zweite ä '), 20);
        setTimeout(() => response.end('third'), 40);
        return;
      }
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

  /** Both ways of calling: a streamed body read to its end, and a buffered response. */
  const readings = {
    streamed: async (client: OutboundClient, url: string) => (await client.request(url)).body.text(),
    buffered: async (client: OutboundClient, url: string) => (await client.requestBuffered(url)).body.toString(),
    'streamed through a dispatch': async (client: OutboundClient, url: string) => (await readWhole((await client.requestStreamed(url)).body)).toString(),
  };

  describe.each(Object.entries(readings))('the policy, %s', (_name, read) => {
    async function fetchText(options: OutboundClientOptions, url: string): Promise<string> {
      return withClient({ connectTimeoutMs: 2_000, headersTimeoutMs: 5_000, ...options }, (client) => read(client, url));
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

    it('refuses a name that resolves to a refused address, as the connector finds it', async () => {
      // The default policy refuses loopback; "localhost" is only found out after resolution.
      await expect(fetchText({ policy: new OutboundPolicy() }, `http://localhost:${port}/`)).rejects.toBeInstanceOf(OutboundAddressRefusedError);
      expect(received).toHaveLength(0);
    });

    it('lets a trusted client reach loopback under the default policy', async () => {
      expect(await fetchText({ policy: new OutboundPolicy(), trusted: true }, `http://127.0.0.1:${port}/trusted`)).toBe('reached');
      expect(received).toHaveLength(1);
    });
  });

  it('passes method, headers and body through', async () => {
    await withClient({ policy: OutboundPolicy.fromSetting('127.0.0.1') }, async (client) => {
      const response = await client.request(`http://127.0.0.1:${port}/echo`, {
        method: 'POST',
        headers: { 'x-probe': 'yes', 'content-type': 'application/json' },
        body: '{"a":1}',
      });
      await response.body.dump();
      expect(response.statusCode).toBe(200);
    });
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

  describe('a buffered request', () => {
    const policy = OutboundPolicy.fromSetting('127.0.0.0/8');

    it('resolves once the whole body has arrived, with status, headers and every chunk in order', async () => {
      await withClient({ policy }, async (client) => {
        const response = await client.requestBuffered(`http://127.0.0.1:${port}/chunked`);
        expect(response.statusCode).toBe(201);
        expect(response.headers['x-reply']).toBe('whole');
        expect(response.body.toString()).toBe('first zweite ä third');
      });
    });

    it("keeps only the first ERROR_BODY_BYTES of an error status's body, and all of a success's", async () => {
      await withClient({ policy }, async (client) => {
        const failed = await client.requestBuffered(`http://127.0.0.1:${port}/large-error`);
        expect(failed.statusCode).toBe(500);
        expect(failed.body.equals(LARGE.subarray(0, ERROR_BODY_BYTES))).toBe(true);
        const succeeded = await client.requestBuffered(`http://127.0.0.1:${port}/large`);
        expect(succeeded.body.equals(LARGE)).toBe(true);
      });
    });

    it('passes method, headers and body through', async () => {
      await withClient({ policy }, async (client) => {
        const response = await client.requestBuffered(`http://127.0.0.1:${port}/echo`, {
          method: 'POST',
          headers: { 'x-probe': 'buffered', 'content-type': 'application/json' },
          body: '{"b":2}',
        });
        expect(response.body.toString()).toBe('reached');
      });
      expect(received).toEqual([{ method: 'POST', url: '/echo', header: 'buffered', body: '{"b":2}' }]);
    });

    it('aborts in flight when its AbortSignal fires, closing the socket, and rejects with the signal’s reason', async () => {
      const client = createOutboundClient({ policy, headersTimeoutMs: 10_000 });
      const controller = new AbortController();
      try {
        const arrived = once(server, 'request') as Promise<[IncomingMessage]>;
        const pending = client.requestBuffered(`http://127.0.0.1:${port}/slow`, { signal: controller.signal });
        pending.catch(() => undefined);
        const [slowRequest] = await within(arrived, 5_000, 'the slow request to arrive');
        const socketClosed = once(slowRequest.socket, 'close');
        const reason = new Error('the caller left');
        controller.abort(reason);
        await expect(within(pending, 2_000, 'the request to reject')).rejects.toBe(reason);
        await within(socketClosed, 2_000, 'the server to see the socket close');
      } finally {
        await client.close();
      }
    });

    it('takes an EventEmitter that emits abort as its signal, and lets go of it once answered', async () => {
      const client = createOutboundClient({ policy, headersTimeoutMs: 10_000 });
      const answered = Object.assign(new EventEmitter(), { aborted: false });
      const leaving = Object.assign(new EventEmitter(), { aborted: false, reason: new Error('client disconnected') });
      try {
        expect((await client.requestBuffered(`http://127.0.0.1:${port}/fine`, { signal: answered })).body.toString()).toBe('reached');
        expect(answered.listenerCount('abort')).toBe(0);

        const arrived = once(server, 'request') as Promise<[IncomingMessage]>;
        const pending = client.requestBuffered(`http://127.0.0.1:${port}/slow`, { signal: leaving });
        pending.catch(() => undefined);
        const [slowRequest] = await within(arrived, 5_000, 'the slow request to arrive');
        const socketClosed = once(slowRequest.socket, 'close');
        leaving.aborted = true;
        leaving.emit('abort');
        await expect(within(pending, 2_000, 'the request to reject')).rejects.toBe(leaving.reason);
        await within(socketClosed, 2_000, 'the server to see the socket close');
        expect(leaving.listenerCount('abort')).toBe(0);
      } finally {
        await client.close();
      }
    });

    it('does not send a request whose signal has already fired', async () => {
      await withClient({ policy }, async (client) => {
        await expect(client.requestBuffered(`http://127.0.0.1:${port}/never`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
      });
      expect(received).toHaveLength(0);
    });

    it('rejects with undici’s timeout when the headers do not come in time', async () => {
      await withClient({ policy }, async (client) => {
        await expect(client.requestBuffered(`http://127.0.0.1:${port}/slow`, { headersTimeout: 200 })).rejects.toMatchObject({
          code: 'UND_ERR_HEADERS_TIMEOUT',
        });
      });
    });
  });

  describe('a streamed request through a dispatch', () => {
    const policy = OutboundPolicy.fromSetting('127.0.0.0/8');

    it('resolves once the status is known, before the body has ended', async () => {
      await withClient({ policy }, async (client) => {
        const response = await client.requestStreamed(`http://127.0.0.1:${port}/half`);
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toBe('text/event-stream');
        const [first] = (await within(once(response.body, 'data'), 2_000, 'the first chunk')) as [Buffer];
        expect(first.toString()).toBe('data: one\n\n');
        const rest = readWhole(response.body);
        halfOpen.shift()!.end('data: two\n\n');
        expect((await within(rest, 2_000, 'the end of the body')).toString()).toBe('data: two\n\n');
      });
    });

    it('holds the connection while its reader is behind, and delivers every byte once it reads', async () => {
      await withClient({ policy }, async (client) => {
        const response = await client.requestStreamed(`http://127.0.0.1:${port}/large`);
        // Nothing reads for a while: the body's buffer fills and the connection is paused, not drained into memory.
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(response.body.readableLength).toBeLessThan(LARGE.length);
        const body = await within(readWhole(response.body), 5_000, 'the whole body');
        expect(body.equals(LARGE)).toBe(true);
      });
    });

    it('aborts the request when its reader destroys the body mid-way', async () => {
      await withClient({ policy }, async (client) => {
        const arrived = once(server, 'request') as Promise<[IncomingMessage]>;
        const response = await client.requestStreamed(`http://127.0.0.1:${port}/half`);
        const [upstreamRequest] = await within(arrived, 2_000, 'the request to arrive');
        const socketClosed = once(upstreamRequest.socket, 'close');
        response.body.destroy();
        await within(socketClosed, 2_000, 'the server to see the socket close');
        halfOpen.shift();
      });
    });

    it('ends the body with the signal’s reason when the signal fires mid-body', async () => {
      const client = createOutboundClient({ policy });
      const controller = new AbortController();
      try {
        const response = await client.requestStreamed(`http://127.0.0.1:${port}/half`, { signal: controller.signal });
        const reading = readWhole(response.body);
        reading.catch(() => undefined);
        const reason = new Error('the caller left');
        controller.abort(reason);
        await expect(within(reading, 2_000, 'the body to fail')).rejects.toBe(reason);
        halfOpen.shift();
      } finally {
        await client.close();
      }
    });

    describe('tapped by one reader', () => {
      it('hands the chunks straight to it, what arrived before the tap first, then the end', async () => {
        await withClient({ policy }, async (client) => {
          const response = await client.requestStreamed(`http://127.0.0.1:${port}/half`);
          const body = response.body;
          await vi.waitFor(() => expect(body.readableLength).toBeGreaterThan(0));
          const chunks: string[] = [];
          let ends = 0;
          body.tap((chunk) => chunks.push(chunk.toString()), () => (ends += 1));
          // Held back until the tapper is set up.
          expect(chunks).toEqual([]);
          await vi.waitFor(() => expect(chunks).toEqual(['data: one\n\n']));
          halfOpen.shift()!.end('data: two\n\n');
          await vi.waitFor(() => expect(ends).toBe(1));
          expect(chunks).toEqual(['data: one\n\n', 'data: two\n\n']);
          expect(body.readableLength).toBe(0);
          await vi.waitFor(() => expect(body.readableEnded).toBe(true));
        });
      });

      it('hands on a response that had ended before the tap, then its end', async () => {
        await withClient({ policy }, async (client) => {
          const response = await client.requestStreamed(`http://127.0.0.1:${port}/whole`, { method: 'POST', body: 'x' });
          await new Promise((resolve) => setTimeout(resolve, 50));
          const chunks: string[] = [];
          let ends = 0;
          response.body.tap((chunk) => chunks.push(chunk.toString()), () => (ends += 1));
          await vi.waitFor(() => expect(ends).toBe(1));
          expect(chunks).toEqual(['reached']);
          await vi.waitFor(() => expect(response.body.readableEnded).toBe(true));
        });
      });

      it('holds the connection while the reader pauses it, and delivers every byte once resumed', async () => {
        await withClient({ policy }, async (client) => {
          const response = await client.requestStreamed(`http://127.0.0.1:${port}/large`);
          const chunks: Buffer[] = [];
          let ended = false;
          const tap = response.body.tap(
            (chunk) => {
              if (chunks.length === 0) tap.pause();
              chunks.push(chunk);
            },
            () => (ended = true),
          );
          await vi.waitFor(() => expect(chunks.length).toBe(1));
          await new Promise((resolve) => setTimeout(resolve, 100));
          expect(tap.isPaused()).toBe(true);
          expect(chunks.length).toBe(1);
          tap.resume();
          await vi.waitFor(() => expect(ended).toBe(true), { timeout: 5_000 });
          expect(Buffer.concat(chunks).equals(LARGE)).toBe(true);
        });
      });

      it('stops handing on chunks once released, and aborts the request when the body is destroyed mid-way', async () => {
        await withClient({ policy }, async (client) => {
          const arrived = once(server, 'request') as Promise<[IncomingMessage]>;
          const response = await client.requestStreamed(`http://127.0.0.1:${port}/half`);
          const [upstreamRequest] = await within(arrived, 2_000, 'the request to arrive');
          const chunks: string[] = [];
          const tap = response.body.tap((chunk) => chunks.push(chunk.toString()), () => undefined);
          await vi.waitFor(() => expect(chunks).toEqual(['data: one\n\n']));
          tap.release();
          const half = halfOpen.shift()!;
          half.write('data: two\n\n');
          await new Promise((resolve) => setTimeout(resolve, 50));
          expect(chunks).toEqual(['data: one\n\n']);
          const socketClosed = once(upstreamRequest.socket, 'close');
          response.body.destroy();
          await within(socketClosed, 2_000, 'the server to see the socket close');
        });
      });

      it('fails the body with the signal’s reason when the signal fires', async () => {
        const client = createOutboundClient({ policy });
        const controller = new AbortController();
        try {
          const response = await client.requestStreamed(`http://127.0.0.1:${port}/half`, { signal: controller.signal });
          let ended = false;
          response.body.tap(() => undefined, () => (ended = true));
          const failed = once(response.body, 'error');
          const reason = new Error('the caller left');
          controller.abort(reason);
          expect(await within(failed, 2_000, 'the body to fail')).toEqual([reason]);
          expect(ended).toBe(false);
          halfOpen.shift();
        } finally {
          await client.close();
        }
      });
    });

    it('rejects with the signal’s reason when cancelled before the headers', async () => {
      const client = createOutboundClient({ policy, headersTimeoutMs: 10_000 });
      const controller = new AbortController();
      try {
        const arrived = once(server, 'request');
        const pending = client.requestStreamed(`http://127.0.0.1:${port}/slow`, { signal: controller.signal });
        pending.catch(() => undefined);
        await within(arrived, 2_000, 'the request to arrive');
        const reason = new Error('the caller left early');
        controller.abort(reason);
        await expect(within(pending, 2_000, 'the request to reject')).rejects.toBe(reason);
      } finally {
        await client.close();
      }
    });
  });
});
