import type { Kysely, Migration } from 'kysely';
import { columnTypes, type Dialect } from '../dialect.js';

/** Uploaded files (temporary context for agent turns) and their extracted text. */
export function filesMigration(dialect: Dialect): Migration {
  const type = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('files')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('org_id', 'text', (column) => column.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('file_name', 'text', (column) => column.notNull())
        .addColumn('mime_type', 'text', (column) => column.notNull())
        // bigint: the upload limit is a setting and may be raised past 2 GiB.
        .addColumn('size_bytes', 'bigint', (column) => column.notNull())
        .addColumn('sha256', 'text', (column) => column.notNull())
        .addColumn('blob_key', 'text', (column) => column.notNull())
        .addColumn('text_status', 'text', (column) => column.notNull())
        .addColumn('extracted_text', 'text')
        .addColumn('text_truncated', type.flag, (column) => column.notNull().defaultTo(0))
        .addColumn('text_error', 'text')
        .addColumn('created_by_key_id', 'text')
        .addColumn('created_at', type.timestamp, (column) => column.notNull())
        .addColumn('expires_at', type.timestamp, (column) => column.notNull())
        .addColumn('extracted_at', type.timestamp)
        .execute();
      await db.schema.createIndex('files_org_idx').on('files').columns(['org_id', 'created_at']).execute();
      // The purge job scans by expiry across organizations.
      await db.schema.createIndex('files_expires_idx').on('files').columns(['expires_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('files').ifExists().execute();
    },
  };
}
