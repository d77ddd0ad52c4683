import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { spawnServer } from './support/server-process.js';
import { type TestDatabase, createTestDatabase } from './support/test-server.js';

describe('start-up configuration', () => {
  it('stops with a message naming a bad variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: 'not-a-port', AGENTRY_DATA_DIR: '/tmp/agentry-never-created' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain('PORT');
  }, 30_000);
});

describe.each(dialects)('first start (%s)', (dialect) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
  });

  it('creates an organization, prints its generated key once, and not again on restart', async () => {
    database = await createTestDatabase(dialect);
    const first = await spawnServer(database.environment);
    const printed = /^\s+(sk-[A-Za-z0-9_-]{43})$/m.exec(first.logLines.join('\n'))?.[1];
    expect(printed).toBeDefined();
    const account = await fetch(new URL('/api/v1/accounts', first.url), { headers: { authorization: `Bearer ${printed}` } });
    expect(account.status).toBe(200);
    const { id } = (await account.json()) as { id: string };
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    // The key is printed to stdout only, never into a log line.
    expect(first.logLines.filter((line) => line.startsWith('{') && line.includes(printed ?? '-'))).toEqual([]);

    const second = await spawnServer(database.environment);
    expect(second.logLines.join('\n')).not.toMatch(/sk-[A-Za-z0-9_-]{43}/);
    const again = await fetch(new URL('/api/v1/accounts', second.url), { headers: { authorization: `Bearer ${printed}` } });
    expect(((await again.json()) as { id: string }).id).toBe(id);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60_000);
});
