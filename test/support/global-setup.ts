import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresUrl } from './dialects.js';

/**
 * Says once, clearly, whether the PostgreSQL suites run, and fails fast if the
 * server is unreachable. Every PostgreSQL suite of this run works in a schema
 * named `t_<run>_…`; they are all dropped here when the run ends, not one by
 * one as suites finish: dropping a schema while another suite's migrator
 * lists the catalog's tables can fail that listing ("schema does not exist").
 */
export default async function globalSetup(): Promise<(() => Promise<void>) | undefined> {
  if (!postgresUrl) {
    process.stdout.write('PostgreSQL suites skipped: TEST_DATABASE_URL is not set (SQLite suites run).\n');
    return undefined;
  }
  // Set before the test workers start, so they inherit it.
  const runId = randomBytes(4).toString('hex');
  process.env.AGENTRY_TEST_RUN_ID = runId;
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  await client.end();
  process.stdout.write('PostgreSQL suites run against TEST_DATABASE_URL.\n');
  return async () => {
    const cleaner = new pg.Client({ connectionString: postgresUrl });
    await cleaner.connect();
    try {
      const { rows } = await cleaner.query<{ nspname: string }>('select nspname from pg_namespace where nspname like $1', [`t\\_${runId}\\_%`]);
      for (const { nspname } of rows) await cleaner.query(`drop schema if exists "${nspname}" cascade`);
    } finally {
      await cleaner.end();
    }
  };
}
