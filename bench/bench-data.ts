/**
 * What the in-process benchmarks share: a seeded random generator (every run
 * writes the same data), a fresh migrated database, and an organization and a
 * collection to own what a benchmark writes.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { type Database, openDatabase } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { newId } from '../src/platform/ids.js';
import { makeTempDataDir } from './support.js';

export type BenchDialect = 'sqlite' | 'postgres';

/** mulberry32: a small seeded generator, so every run writes the same rows. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A fresh, migrated database: SQLite in a temporary directory, or a PostgreSQL
 * schema of its own. `drop` closes it and removes the directory and the schema.
 */
export async function openFreshDatabase(dialect: BenchDialect, postgresUrl: string | undefined): Promise<{ database: Database; drop: () => Promise<void> }> {
  const directory = await makeTempDataDir();
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const config = loadConfig(
    dialect === 'sqlite'
      ? { AGENTRY_DATA_DIR: directory.path, LOG_LEVEL: 'silent' }
      : { AGENTRY_DATA_DIR: directory.path, LOG_LEVEL: 'silent', DATABASE_URL: postgresUrl, AGENTRY_DATABASE_SCHEMA: schema },
  );
  const database = await openDatabase(config.database);
  const drop = async () => {
    await database.close();
    if (dialect === 'postgres') {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    }
    await directory.remove();
  };
  try {
    await migrateToLatest(database);
    return { database, drop };
  } catch (error) {
    await drop();
    throw error;
  }
}

/** An organization named `bench`, created at `at`; returns its id. */
export async function insertBenchOrganization(database: Database, at: string): Promise<string> {
  const orgId = newId();
  await database.handle
    .insertInto('organizations')
    .values({ id: orgId, name: 'bench', salt: randomBytes(16).toString('hex'), parameters: '{}', balance: 0, balance_limited: 0, created_at: at, updated_at: at })
    .execute();
  return orgId;
}

/** An empty collection of `orgId`, created at `at`; `vectors` states the model its chunks already have, if any. Returns its id. */
export async function insertBenchCollection(
  database: Database,
  orgId: string,
  at: string,
  options: { name: string; vectors?: { model: string; dimensions: number } },
): Promise<string> {
  const collectionId = newId();
  await database.handle
    .insertInto('collections')
    .values({
      id: collectionId,
      org_id: orgId,
      name: options.name,
      context: null,
      tags: '[]',
      embedding_model: null,
      vectors_model: options.vectors?.model ?? null,
      vectors_dimensions: options.vectors?.dimensions ?? null,
      chunk_max_tokens: null,
      chunk_overlap_tokens: null,
      index_version: 1,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return collectionId;
}
