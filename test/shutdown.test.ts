import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { spawnServer } from './support/server-process.js';
import { type TestDatabase, createTestDatabase, testAdminKey } from './support/test-server.js';

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.each(dialects)('graceful shutdown (%s)', (dialect) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
  });

  it('finishes an in-flight request after SIGTERM, refuses new ones, and exits 0', async () => {
    database = await createTestDatabase(dialect);
    const adminKey = testAdminKey();
    const server = await spawnServer({ ...database.environment, AGENTRY_ADMIN_KEY: adminKey });
    const url = new URL('/api/v1/accounts/api-key', server.url);

    // An upload still arriving when the signal comes: the request is in flight.
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      request.on('response', (incoming) => {
        let body = '';
        incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body }));
      });
      request.on('error', reject);
      request.write('{"label": "in-fl');
      setTimeout(() => {
        server.child.kill('SIGTERM');
        setTimeout(() => request.end('ight"}'), 500);
      }, 200);
    });

    const finished = await response;
    expect(finished.status).toBe(200);
    expect(JSON.parse(finished.body)).toHaveProperty('grantKey');

    // Once it has stopped accepting, a new connection is refused.
    await delay(100);
    await expect(fetch(new URL('/healthz', server.url))).rejects.toThrow();
    expect(await server.exited).toBe(0);
    expect(server.logLines.join('\n')).toContain('shut down cleanly');
  }, 40_000);
});
