import diagnosticsChannel from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOutboundClient, type OutboundClient } from './outbound-client.js';
import { InvalidOutboundUrlError, OutboundAddressRefusedError } from './outbound-errors.js';
import { OutboundPolicy } from './outbound-policy.js';

/** A real loopback server that counts what reached it. */
describe('outbound client: the default policy on a real socket', () => {
  let server: Server;
  let port: number;
  let connections = 0;
  let requests = 0;
  let connectAttempts = 0;
  let client: OutboundClient;
  const countAttempt = (): void => {
    connectAttempts += 1;
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests += 1;
      response.end('reached');
    });
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    // undici publishes this before every connection it opens: zero events means no attempt.
    diagnosticsChannel.subscribe('undici:client:beforeConnect', countAttempt);
  });
  afterAll(async () => {
    diagnosticsChannel.unsubscribe('undici:client:beforeConnect', countAttempt);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    connections = 0;
    requests = 0;
    connectAttempts = 0;
    client = createOutboundClient({ policy: new OutboundPolicy(), connectTimeoutMs: 2_000 });
  });
  afterEach(() => client.close());

  it('refuses an IPv4 loopback literal before any connection', async () => {
    const error = await client.request(`http://127.0.0.1:${port}/`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OutboundAddressRefusedError);
    expect((error as OutboundAddressRefusedError).message).toBe(
      'Refused to connect to 127.0.0.1 (loopback address) for host "127.0.0.1": blocked by the outbound address policy; ' +
        'an operator can allow it with AGENTRY_OUTBOUND_ALLOW.',
    );
    expect({ connectAttempts, connections, requests }).toEqual({ connectAttempts: 0, connections: 0, requests: 0 });
  });

  it('refuses a name that resolves to loopback, at connect time', async () => {
    const error = await client.request(`http://localhost:${port}/`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OutboundAddressRefusedError);
    expect(error).toMatchObject({ hostname: 'localhost', addressClass: 'loopback', kind: 'forbidden' });
    expect({ connections, requests }).toEqual({ connections: 0, requests: 0 });
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'metadata'],
    ['http://[::ffff:169.254.169.254]/', 'metadata'],
    ['http://[::1]:1/', 'loopback'],
    ['http://10.0.0.5/', 'private'],
    ['https://0x7f.1/', 'loopback'],
  ])('refuses %s without a connection attempt', async (url, addressClass) => {
    const started = Date.now();
    const error = await client.request(url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OutboundAddressRefusedError);
    expect(error).toMatchObject({ addressClass });
    expect(connectAttempts).toBe(0);
    // No connect timeout was waited out: the refusal came before any socket.
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('guards connections opened through the raw dispatcher too', async () => {
    const viaLiteral = client.dispatcher.request({ origin: `http://127.0.0.1:${port}`, path: '/', method: 'GET' });
    await expect(viaLiteral).rejects.toBeInstanceOf(OutboundAddressRefusedError);
    const viaName = client.dispatcher.request({ origin: `http://localhost:${port}`, path: '/', method: 'GET' });
    await expect(viaName).rejects.toBeInstanceOf(OutboundAddressRefusedError);
    expect({ connections, requests }).toEqual({ connections: 0, requests: 0 });
  });

  it.each(['ftp://example.com/file', 'http://user:pw@example.com/', 'http://user@example.com/', 'not a url', '//example.com/', 'file:///etc/passwd'])(
    'rejects the URL %j as invalid',
    async (url) => {
      const error = await client.request(url).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidOutboundUrlError);
      expect(error).toMatchObject({ kind: 'invalid', code: 'invalid_outbound_url' });
      expect((error as Error).message).not.toContain('pw');
      expect(connectAttempts).toBe(0);
    },
  );

  it('still validates URLs for a trusted client', async () => {
    const trusted = createOutboundClient({ policy: new OutboundPolicy(), trusted: true });
    try {
      await expect(trusted.request('ftp://127.0.0.1/')).rejects.toBeInstanceOf(InvalidOutboundUrlError);
      await expect(trusted.request(`http://u:p@127.0.0.1:${port}/`)).rejects.toBeInstanceOf(InvalidOutboundUrlError);
    } finally {
      await trusted.close();
    }
    expect(requests).toBe(0);
  });
});
