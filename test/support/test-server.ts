import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Config, type Environment, loadConfig } from '../../src/config.js';
import { type Database, openDatabase } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { type TestDialect, postgresUrl } from './dialects.js';

export interface TestDatabase {
  readonly environment: Environment;
  readonly dataDir: string;
  drop(): Promise<void>;
}

/** A fresh database for one suite: a new SQLite file, or a new PostgreSQL schema. */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'agentry-test-'));
  if (dialect === 'sqlite') {
    return {
      environment: { AGENTRY_DATA_DIR: dataDir },
      dataDir,
      drop: () => fs.rm(dataDir, { recursive: true, force: true }),
    };
  }
  if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set');
  const runId = process.env.AGENTRY_TEST_RUN_ID;
  const schema = `t_${runId ? `${runId}_` : ''}${randomBytes(6).toString('hex')}`;
  return {
    environment: { AGENTRY_DATA_DIR: dataDir, DATABASE_URL: postgresUrl, AGENTRY_DATABASE_SCHEMA: schema },
    dataDir,
    async drop() {
      // Within a run, schemas are dropped together when the run ends (see global-setup.ts).
      if (!runId) {
        const client = new pg.Client({ connectionString: postgresUrl });
        await client.connect();
        try {
          await client.query(`drop schema if exists "${schema}" cascade`);
        } finally {
          await client.end();
        }
      }
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestServer {
  readonly url: string;
  /** The first organization's key (AGENTRY_ADMIN_KEY). */
  readonly adminKey: string;
  readonly orgId: string;
  readonly server: RunningServer;
  readonly database: TestDatabase;
  readonly config: Config;
  close(): Promise<void>;
}

export function testAdminKey(): string {
  return `sk-test-${randomBytes(24).toString('hex')}`;
}

/** Starts the real server (the same `startServer` as `main.ts`) on an ephemeral port. */
export async function startTestServer(dialect: TestDialect, environment: Environment = {}): Promise<TestServer> {
  const database = await createTestDatabase(dialect);
  const adminKey = testAdminKey();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.AGENTRY_TEST_LOG_LEVEL ?? 'silent',
    AGENTRY_ADMIN_KEY: adminKey,
    AGENTRY_WORKERS: 'false',
    ...database.environment,
    ...environment,
  });
  const server = await startServer(config);
  if (!server.bootstrapped) throw new Error('expected a fresh database to bootstrap an organization');
  return {
    url: server.url,
    adminKey,
    orgId: server.bootstrapped.organization.id,
    server,
    database,
    config,
    async close() {
      await server.stop();
      await database.drop();
    },
  };
}

export interface MigratedTestDatabase {
  readonly testDatabase: TestDatabase;
  readonly config: Config;
  readonly database: Database;
  close(): Promise<void>;
}

/** A fresh, migrated database opened without a server, for tests of the platform layer. */
export async function openMigratedTestDatabase(dialect: TestDialect): Promise<MigratedTestDatabase> {
  const testDatabase = await createTestDatabase(dialect);
  const config = loadConfig({ ...testDatabase.environment, LOG_LEVEL: 'silent' });
  const database = await openDatabase(config.database);
  await migrateToLatest(database);
  return {
    testDatabase,
    config,
    database,
    async close() {
      await database.close();
      await testDatabase.drop();
    },
  };
}
