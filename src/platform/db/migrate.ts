import { Migrator, type MigrationResult } from 'kysely';
import type { Database } from './database.js';
import { migrationsFor } from './migrations/index.js';

export class MigrationError extends Error {
  constructor(
    readonly migrationName: string | undefined,
    cause: unknown,
  ) {
    super(`Migration ${migrationName ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'MigrationError';
  }
}

/**
 * Applies pending migrations. Kysely takes a lock (an advisory lock on
 * PostgreSQL), so several nodes starting together apply each migration once.
 */
export async function migrateToLatest(database: Database): Promise<MigrationResult[]> {
  const migrator = new Migrator({
    db: database.handle,
    provider: { getMigrations: async () => migrationsFor(database.dialect) },
    // Kysely looks for its bookkeeping tables in every schema unless told which
    // one; with several Agentry schemas in one database it would find another's.
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((result) => result.status === 'Error');
    throw new MigrationError(failed?.migrationName, error);
  }
  return results;
}
