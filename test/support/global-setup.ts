import pg from 'pg';
import { postgresUrl } from './dialects.js';

/** Says once, clearly, whether the PostgreSQL suites run, and fails fast if the server is unreachable. */
export default async function globalSetup(): Promise<void> {
  if (!postgresUrl) {
    process.stdout.write('PostgreSQL suites skipped: TEST_DATABASE_URL is not set (SQLite suites run).\n');
    return;
  }
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  await client.end();
  process.stdout.write('PostgreSQL suites run against TEST_DATABASE_URL.\n');
}
