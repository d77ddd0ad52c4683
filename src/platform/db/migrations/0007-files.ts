import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

/** Uploaded files (temporary context for agent turns) and their extracted text. */
export function filesMigration(_dialect: Dialect): Migration {
  return {
    async up(_db: Kysely<unknown>) {
      // Filled in by the files feature.
    },
    async down(_db: Kysely<unknown>) {},
  };
}
