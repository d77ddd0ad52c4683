import type { Selectable } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { FilesTable, FileTextStatus } from './file.table.js';

export type FileRow = Selectable<FilesTable>;
/** A file without its extracted text, which can be large and most reads do not need. */
export type FileMetadata = Omit<FileRow, 'extracted_text'>;

const METADATA_COLUMNS = [
  'id',
  'org_id',
  'file_name',
  'mime_type',
  'size_bytes',
  'sha256',
  'blob_key',
  'text_status',
  'text_truncated',
  'text_error',
  'created_by_key_id',
  'created_at',
  'expires_at',
  'extracted_at',
] as const;

export async function insertFile(db: DatabaseHandle, row: FileRow): Promise<void> {
  await db.insertInto('files').values(row).execute();
}

/** A file of the organization that has not expired at `now`. */
export async function findLiveFile(db: DatabaseHandle, orgId: string, id: string, now: string): Promise<FileMetadata | undefined> {
  return db
    .selectFrom('files')
    .select(METADATA_COLUMNS)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** The organization's unexpired files among `ids`, with their text. */
export async function findLiveFilesWithText(db: DatabaseHandle, orgId: string, ids: readonly string[], now: string): Promise<FileRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('files')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .where('expires_at', '>', now)
    .execute();
}

export interface ExtractionOutcome {
  readonly text_status: FileTextStatus;
  readonly extracted_text: string | null;
  readonly text_truncated: number;
  readonly text_error: string | null;
  readonly extracted_at: string;
}

export async function saveExtraction(db: DatabaseHandle, orgId: string, id: string, outcome: ExtractionOutcome): Promise<void> {
  await db.updateTable('files').set(outcome).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deleteFile(db: DatabaseHandle, orgId: string, id: string): Promise<number> {
  const result = await db.deleteFrom('files').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Expired files of every organization, oldest first: the purge is a system
 * job, the one reader that spans organizations. Each is then deleted by
 * organization and id.
 */
export async function listExpiredFiles(db: DatabaseHandle, now: string, limit: number): Promise<FileMetadata[]> {
  return db.selectFrom('files').select(METADATA_COLUMNS).where('expires_at', '<=', now).orderBy('expires_at').limit(limit).execute();
}
