import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/** Skills: instructions an agent loads on demand. */
export function skillsMigration(_dialect: Dialect): Migration {
  return {
    async up(_db: Kysely<unknown>) {
      // Filled in by the feature.
    },
    async down(_db: Kysely<unknown>) {},
  };
}
