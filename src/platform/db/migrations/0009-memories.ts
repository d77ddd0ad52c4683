import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/** Memories: what agents remember about an external user. */
export function memoriesMigration(_dialect: Dialect): Migration {
  return {
    async up(_db: Kysely<unknown>) {
      // Filled in by the feature.
    },
    async down(_db: Kysely<unknown>) {},
  };
}
