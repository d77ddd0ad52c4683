import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../src/config.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, createTestDatabase, startTestServer } from './support/test-server.js';

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface CreatedOrganizationOutput {
  readonly id: string;
  readonly name: string;
  readonly apiKey: { readonly id: string; readonly key: string };
}

interface CreatedKeyOutput {
  readonly id: string;
  readonly orgId: string;
  readonly key: string;
  readonly expiresAt: string | null;
}

interface KeyListEntry {
  readonly id: string;
  readonly label: string;
  readonly key: string;
  readonly agentId: string | null;
  readonly expiresAt: string | null;
}

interface AuditPage {
  readonly items: Array<{ id: string; entityType: string; entityId: string; changeType: string; userName: string | null }>;
}

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const TEST_TIMEOUT_MS = 30_000;

/** Runs the CLI as operators do: a separate process reading its configuration from the environment. */
function runCli(database: Environment, args: string[]): Promise<CliResult> {
  // Cleared first so a developer's own DATABASE_URL (shell or .env) cannot point a SQLite run elsewhere.
  const env = { ...process.env, DATABASE_URL: '', AGENTRY_DATABASE_SCHEMA: '', ...database, LOG_LEVEL: 'warn' };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: repositoryRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Parses stdout as JSON, which also proves that nothing else (logs) was written there. */
function jsonOutput<T>(result: CliResult): T {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.each(dialects)('agentry CLI (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;
  const cli = (...args: string[]) => runCli(server.database.environment, args);

  async function createOrganization(name: string): Promise<CreatedOrganizationOutput> {
    return jsonOutput<CreatedOrganizationOutput>(await cli('orgs', 'create', '--name', name, '--json'));
  }

  beforeAll(async () => {
    server = await startTestServer(dialect);
    http = httpClient(server.url);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('help lists every command on stdout', { timeout: TEST_TIMEOUT_MS }, async () => {
    const result = await cli('help');
    expect(result.code).toBe(0);
    for (const command of ['migrate', 'orgs create', 'orgs list', 'orgs balance', 'keys create', 'keys list']) {
      expect(result.stdout).toContain(`agentry ${command}`);
    }
    expect((await cli('--help')).stdout).toBe(result.stdout);
  });

  it('rejects an unknown command with exit code 2', { timeout: TEST_TIMEOUT_MS }, async () => {
    const result = await cli('orgs', 'delete');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown command 'orgs delete'");
    expect(result.stdout).toBe('');
  });

  it('migrate reports a database the server already migrated as up to date', { timeout: TEST_TIMEOUT_MS }, async () => {
    const result = await cli('migrate');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Database is up to date.\n');
  });

  it('orgs create --json prints a key that authenticates over HTTP', { timeout: TEST_TIMEOUT_MS }, async () => {
    const created = await createOrganization('Created by the CLI');
    expect(created.apiKey.key).toMatch(/^sk-/);

    const account = await http.get<{ id: string; name: string }>('/api/v1/accounts', { key: created.apiKey.key });
    expect(account.status).toBe(200);
    expect(account.body).toMatchObject({ id: created.id, name: 'Created by the CLI' });
  });

  it('orgs list shows every organization, as JSON and as a table', { timeout: TEST_TIMEOUT_MS }, async () => {
    const created = await createOrganization('Listed');

    const listed = jsonOutput<Array<{ id: string; name: string; balance: number }>>(await cli('orgs', 'list', '--json'));
    expect(listed.map((organization) => organization.id)).toEqual(expect.arrayContaining([server.orgId, created.id]));
    expect(listed.find((organization) => organization.id === created.id)).toMatchObject({ name: 'Listed', balance: 0 });

    const table = await cli('orgs', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^${created.id}\\s+Listed\\s+0\\s`, 'm'));
  });

  it('orgs balance --set then --add is visible over HTTP and in the audit log', { timeout: TEST_TIMEOUT_MS }, async () => {
    const created = await createOrganization('Balance');
    expect((await cli('orgs', 'balance', '--org', created.id, '--set', '10')).code).toBe(0);
    const added = jsonOutput<{ balance: number }>(await cli('orgs', 'balance', '--org', created.id, '--add', '2.5', '--json'));
    expect(added.balance).toBe(12.5);

    const key = created.apiKey.key;
    const account = await http.get<{ balance: number }>('/api/v1/accounts', { key });
    expect(account.body.balance).toBe(12.5);

    const audit = await http.get<AuditPage>('/api/v1/AuditLog?entityType=Organization&changeType=Updated', { key });
    expect(audit.status).toBe(200);
    expect(audit.body.items).toHaveLength(2);
    for (const event of audit.body.items) expect(event).toMatchObject({ entityId: created.id, userName: 'operator (cli)' });
    const newest = audit.body.items[0];
    const detail = await http.get<{ changedProperties: unknown[] }>(`/api/v1/AuditLog/${newest?.id}`, { key });
    expect(detail.body.changedProperties).toEqual([{ propertyName: 'balance', oldValue: 10, newValue: 12.5 }]);
  });

  it('keys create --expires-in makes a key that works until it expires', { timeout: TEST_TIMEOUT_MS }, async () => {
    const created = jsonOutput<CreatedKeyOutput>(
      await cli('keys', 'create', '--org', server.orgId, '--label', 'short-lived', '--expires-in', '4', '--json'),
    );
    expect(created.orgId).toBe(server.orgId);
    expect(created.expiresAt).not.toBeNull();

    const before = await http.get<{ id: string }>('/api/v1/accounts', { key: created.key });
    expect(before.status).toBe(200);
    expect(before.body.id).toBe(server.orgId);

    await sleep(Math.max(0, Date.parse(created.expiresAt ?? '') - Date.now()) + 200);
    const after = await http.get<{ error: { message: string } }>('/api/v1/accounts', { key: created.key });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/expired/i);
  });

  it('keys create is recorded in the audit log as the operator', { timeout: TEST_TIMEOUT_MS }, async () => {
    const created = jsonOutput<CreatedKeyOutput>(await cli('keys', 'create', '--org', server.orgId, '--label', 'audited', '--json'));
    expect(created.expiresAt).toBeNull();

    const audit = await http.get<AuditPage>(`/api/v1/AuditLog?entityType=ApiKey&entityId=${created.id}`, { key: server.adminKey });
    expect(audit.body.items).toEqual([expect.objectContaining({ changeType: 'Created', userName: 'operator (cli)' })]);
  });

  it('keys list shows the key hint, never the key itself', { timeout: TEST_TIMEOUT_MS }, async () => {
    const created = jsonOutput<CreatedKeyOutput>(await cli('keys', 'create', '--org', server.orgId, '--label', 'listed', '--json'));

    const listing = await cli('keys', 'list', '--org', server.orgId, '--json');
    const keys = jsonOutput<KeyListEntry[]>(listing);
    expect(keys.find((key) => key.id === created.id)).toEqual(
      expect.objectContaining({ label: 'listed', key: `...${created.key.slice(-6)}`, agentId: null, expiresAt: null }),
    );
    expect(listing.stdout).not.toContain(created.key);

    const table = await cli('keys', 'list', '--org', server.orgId);
    expect(table.stdout).toContain(`...${created.key.slice(-6)}`);
    expect(table.stdout).not.toContain(created.key);
  });

  it('requires --org when more than one organization exists', { timeout: TEST_TIMEOUT_MS }, async () => {
    await createOrganization('Second');
    const [list, create] = await Promise.all([cli('keys', 'list'), cli('keys', 'create', '--label', 'ambiguous')]);
    for (const result of [list, create]) {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--org is required');
      expect(result.stdout).toBe('');
    }
  });

  it('orgs balance refuses both --set and --add, or an amount that is not a number', { timeout: TEST_TIMEOUT_MS }, async () => {
    const [both, notNumber, infinite] = await Promise.all([
      cli('orgs', 'balance', '--org', server.orgId, '--set', '1', '--add', '2'),
      cli('orgs', 'balance', '--org', server.orgId, '--set', 'ten'),
      cli('orgs', 'balance', '--org', server.orgId, '--add', 'Infinity'),
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--set.*--add/);
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toContain('--set must be a finite number');
    expect(infinite.code).toBe(2);
    expect(infinite.stderr).toContain('--add must be a finite number');

    const account = await http.get<{ balance: number }>('/api/v1/accounts', { key: server.adminKey });
    expect(account.body.balance).toBe(0);
  });

  it('names the option that is unknown or lacks its value', { timeout: TEST_TIMEOUT_MS }, async () => {
    const [unknown, missing, badLifetime] = await Promise.all([
      cli('orgs', 'create', '--nmae', 'typo'),
      cli('keys', 'create', '--org', server.orgId),
      cli('keys', 'create', '--org', server.orgId, '--label', 'x', '--expires-in', '1.5'),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--nmae'");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--label is required');
    expect(badLifetime.code).toBe(2);
    expect(badLifetime.stderr).toContain('--expires-in must be a whole number of seconds');
  });

  it('fails with a message when the organization does not exist', { timeout: TEST_TIMEOUT_MS }, async () => {
    const [balance, key] = await Promise.all([
      cli('orgs', 'balance', '--org', 'no-such-org', '--set', '1'),
      cli('keys', 'create', '--org', 'no-such-org', '--label', 'orphan'),
    ]);
    for (const result of [balance, key]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("Organization 'no-such-org' not found");
      expect(result.stdout).toBe('');
    }
  });
});

describe.each(dialects)('agentry CLI on a database of its own (%s)', (dialect) => {
  it('migrates a new database, then lets --org be omitted for its only organization', { timeout: TEST_TIMEOUT_MS }, async () => {
    const database = await createTestDatabase(dialect);
    try {
      const cli = (...args: string[]) => runCli(database.environment, args);
      const migrated = await cli('migrate');
      expect(migrated.code, migrated.stderr).toBe(0);
      expect(migrated.stdout).toMatch(/^Applied 0001-foundation$/m);

      const created = jsonOutput<CreatedOrganizationOutput>(await cli('orgs', 'create', '--name', 'Only', '--json'));
      const keys = jsonOutput<KeyListEntry[]>(await cli('keys', 'list', '--json'));
      expect(keys.map((key) => key.id)).toEqual([created.apiKey.id]);
    } finally {
      await database.drop();
    }
  });
});
