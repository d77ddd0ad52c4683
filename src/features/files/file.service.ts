import type { Readable } from 'node:stream';
import type { Actor } from '../../platform/actor.js';
import type { LocalBlobStore } from '../../platform/blobs/local-blob-store.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { nowIso } from '../../platform/db/dialect.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import { type AuditService, changedProperties } from '../audit/index.js';
import { formatMegabytes } from './file-errors.js';
import { filePurgeJob, fileTextExtractionJob } from './file.jobs.js';
import {
  type ExtractionOutcome,
  type FileMetadata,
  type FileRow,
  deleteFile,
  findLiveFile,
  findLiveFilesWithText,
  insertFile,
  listExpiredFiles,
  saveExtraction,
} from './file.repository.js';
import type { FileView, TurnFile } from './file.schemas.js';
import { type UploadInput, checkDeclaredUploadLength, storeUpload } from './stored-upload.js';
import { extractText, extractionKindOf, readAll } from './text-extraction.js';
import { IMAGE_LIMIT_BYTES, MODEL_IMAGE_TYPES, type ExtractionState, imageTurnFile, textTurnFile } from './turn-file.js';

export interface FileServiceDependencies {
  readonly db: DatabaseHandle;
  readonly blobs: LocalBlobStore;
  readonly audit: AuditService;
  readonly queue: JobQueue;
  /** AGENTRY_FILE_MAX_BYTES. */
  readonly maxBytes: number;
  /** AGENTRY_FILE_TTL_HOURS, in milliseconds. */
  readonly ttlMs: number;
}

/** A stored file ready to be sent: metadata, and its content in whole or in part. */
export interface FileDownload {
  readonly fileName: string;
  readonly mimeType: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: string;
  open(range?: { readonly start: number; readonly end: number }): Readable;
}

export interface ContextOptions {
  /** The request field the ids came from, named in the error; `fileIds` by default. */
  readonly field?: string;
  readonly signal?: AbortSignal;
}

const ENTITY_TYPE = 'File';
const PURGE_BATCH = 200;

function toView(row: FileMetadata): FileView {
  return {
    id: row.id,
    fileName: row.file_name,
    mimeType: row.mime_type,
    size: row.size_bytes,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

function auditSnapshot(row: FileMetadata): Record<string, unknown> {
  return { fileName: row.file_name, mimeType: row.mime_type, size: row.size_bytes, expiresAt: row.expires_at };
}

/** Errors of the machine (disk, descriptors) are worth a retry; a parser's verdict on the content is not. */
function isSystemError(error: unknown): boolean {
  return typeof (error as { syscall?: unknown } | null)?.syscall === 'string';
}

function isMissingFile(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}

/**
 * Temporary files: uploads streamed to the blob store, their text extracted
 * once (in a job, or on first use) and cached, served as context to agent
 * turns until they expire and are purged.
 */
export class FileService {
  /** The jobs this service runs; the container registers them with the worker. */
  readonly jobs = {
    extractText: fileTextExtractionJob(this),
    purgeExpired: filePurgeJob(this),
  };

  constructor(private readonly deps: FileServiceDependencies) {}

  get maxUploadBytes(): number {
    return this.deps.maxBytes;
  }

  /** Refuses at once a request whose declared length cannot hold a file within the limit. */
  checkDeclaredLength(contentLength: number | undefined): void {
    checkDeclaredUploadLength(contentLength, this.deps.maxBytes);
  }

  /**
   * Streams an upload into the blob store (never whole in memory), detects its
   * type from what was stored, records it, and queues its text extraction.
   */
  async upload(actor: Actor, input: UploadInput): Promise<FileView> {
    const id = newId();
    const blobKey = `files/${actor.orgId}/${id}`;
    const { fileName, mimeType, size, sha256 } = await storeUpload(this.deps.blobs, blobKey, input, this.deps.maxBytes);
    try {
      const createdAt = new Date();
      const row: FileRow = {
        id,
        org_id: actor.orgId,
        file_name: fileName,
        mime_type: mimeType,
        size_bytes: size,
        sha256,
        blob_key: blobKey,
        text_status: extractionKindOf(mimeType) ? 'pending' : 'none',
        extracted_text: null,
        text_truncated: 0,
        text_error: null,
        created_by_key_id: actor.keyId,
        created_at: createdAt.toISOString(),
        expires_at: new Date(createdAt.getTime() + this.deps.ttlMs).toISOString(),
        extracted_at: null,
      };
      await this.deps.db.transaction().execute(async (transaction) => {
        await insertFile(transaction, row);
        await this.deps.audit.record(transaction, actor, {
          entityType: ENTITY_TYPE,
          entityId: id,
          changeType: 'Created',
          changes: changedProperties(null, auditSnapshot(row)),
        });
      });
      // After the commit: the queue has its own connection. Should this enqueue be lost, contextFor extracts on first use.
      if (row.text_status === 'pending') {
        await this.deps.queue.enqueue(this.jobs.extractText, { orgId: actor.orgId, fileId: id }, { orgId: actor.orgId, idempotencyKey: id });
      }
      return toView(row);
    } catch (error) {
      await this.deps.blobs.delete(blobKey);
      throw error;
    }
  }

  async get(orgId: string, id: string): Promise<FileView> {
    return toView(await this.live(orgId, id));
  }

  async download(orgId: string, id: string): Promise<FileDownload> {
    const row = await this.live(orgId, id);
    return {
      fileName: row.file_name,
      mimeType: row.mime_type,
      size: row.size_bytes,
      etag: row.sha256,
      lastModified: row.created_at,
      open: (range) => this.deps.blobs.read(row.blob_key, range),
    };
  }

  async delete(actor: Actor, id: string): Promise<void> {
    const row = await this.deps.db.transaction().execute(async (transaction) => {
      const before = await findLiveFile(transaction, actor.orgId, id, nowIso());
      if (!before) throw new NotFoundError(ENTITY_TYPE, id);
      await this.remove(transaction, actor, before);
      return before;
    });
    // After the commit: a blob left by a failure here costs disk only, while a row without its blob would break downloads.
    await this.deps.blobs.delete(row.blob_key);
  }

  /** Extracts and caches a file's text unless that is done already; the extraction job's handler. */
  async extractText(orgId: string, id: string, signal?: AbortSignal): Promise<void> {
    const row = await findLiveFile(this.deps.db, orgId, id, nowIso());
    if (row?.text_status !== 'pending') return;
    await this.extractAndSave(row, signal);
  }

  /**
   * The content of files for a model turn, in the order asked (duplicates
   * once). Throws a ValidationError naming every id that is not a live file
   * of the organization. Text not extracted yet is extracted now and cached.
   */
  async contextFor(orgId: string, fileIds: readonly string[], options: ContextOptions = {}): Promise<TurnFile[]> {
    const field = options.field ?? 'fileIds';
    const ids = [...new Set(fileIds)];
    if (ids.length === 0) return [];
    const rows = new Map((await findLiveFilesWithText(this.deps.db, orgId, ids, nowIso())).map((row) => [row.id, row]));
    const missing = ids.filter((id) => !rows.has(id));
    if (missing.length > 0) {
      throw ValidationError.field(field, 'not_found', `no such file (unknown or expired): ${missing.join(', ')}`);
    }
    const files: TurnFile[] = [];
    // One at a time: each may hold a whole file in memory while it is read.
    for (const id of ids) files.push(await this.turnFile(rows.get(id) as FileRow, field, options.signal));
    return files;
  }

  /** Deletes expired files, blob first: a crash between the two leaves an expired row, which the next run removes. */
  async purgeExpired(options: { signal?: AbortSignal; correlationId: string; now?: Date }): Promise<number> {
    const now = (options.now ?? new Date()).toISOString();
    let purged = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const batch = await listExpiredFiles(this.deps.db, now, PURGE_BATCH);
      for (const row of batch) {
        await this.deps.blobs.delete(row.blob_key);
        const actor: Actor = { orgId: row.org_id, keyId: null, keyLabel: 'system (file expiry)', agentId: null, correlationId: options.correlationId };
        await this.deps.db.transaction().execute((transaction) => this.remove(transaction, actor, row));
      }
      purged += batch.length;
      if (batch.length < PURGE_BATCH) return purged;
    }
  }

  private async live(orgId: string, id: string): Promise<FileMetadata> {
    const row = await findLiveFile(this.deps.db, orgId, id, nowIso());
    if (!row) throw new NotFoundError(ENTITY_TYPE, id);
    return row;
  }

  private async remove(transaction: DatabaseHandle, actor: Actor, row: FileMetadata): Promise<void> {
    // Another node may have removed it a moment ago; only the one that did records it.
    if ((await deleteFile(transaction, row.org_id, row.id)) === 0) return;
    await this.deps.audit.record(transaction, actor, {
      entityType: ENTITY_TYPE,
      entityId: row.id,
      changeType: 'Deleted',
      changes: changedProperties(auditSnapshot(row), null),
    });
  }

  private async extractAndSave(row: FileMetadata, signal: AbortSignal | undefined): Promise<ExtractionOutcome | undefined> {
    let outcome: ExtractionOutcome;
    try {
      const extracted = await extractText(row.mime_type, () => this.deps.blobs.read(row.blob_key), signal ? { signal } : {});
      outcome = {
        text_status: 'extracted',
        extracted_text: extracted.text,
        text_truncated: extracted.truncated ? 1 : 0,
        text_error: null,
        extracted_at: nowIso(),
      };
    } catch (error) {
      // Purged meanwhile: nothing to record.
      if (isMissingFile(error)) return undefined;
      if (signal?.aborted || isSystemError(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      outcome = { text_status: 'failed', extracted_text: null, text_truncated: 0, text_error: message.slice(0, 500), extracted_at: nowIso() };
    }
    await saveExtraction(this.deps.db, row.org_id, row.id, outcome);
    return outcome;
  }

  private async turnFile(row: FileRow, field: string, signal: AbortSignal | undefined): Promise<TurnFile> {
    if (MODEL_IMAGE_TYPES.has(row.mime_type)) {
      if (row.size_bytes > IMAGE_LIMIT_BYTES) {
        throw ValidationError.field(
          field,
          'too_large',
          `the image ${row.id} (${row.file_name}) is larger than the ${formatMegabytes(IMAGE_LIMIT_BYTES)} models accept`,
        );
      }
      return imageTurnFile(row, await readAll(this.deps.blobs.read(row.blob_key), signal));
    }
    let state: ExtractionState = row;
    if (row.text_status === 'pending') {
      state = (await this.extractAndSave(row, signal)) ?? { ...row, text_status: 'failed', text_error: 'the file was deleted' };
    }
    return textTurnFile(row, state);
  }
}
