import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LocalBlobStore } from '../../platform/blobs/local-blob-store.js';
import { AppError, ValidationError } from '../../platform/errors.js';
import { fileTooLarge } from './file-errors.js';
import { cleanFileName } from './file-name.js';
import { detectMimeType } from './mime-type-detection.js';
import { UploadMeter } from './upload-meter.js';

/** Multipart framing and the few small fields allowed beside the file. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

export interface UploadInput {
  /** The name the client sent; cleaned before it is kept. */
  readonly fileName: string | undefined;
  readonly content: Readable;
}

/** An upload once it is in the blob store. */
export interface StoredUpload {
  /** The client's name, cleaned (see cleanFileName). */
  readonly fileName: string;
  /** Detected from the stored content; the client's declared type is never read. */
  readonly mimeType: string;
  readonly size: number;
  /** Hex SHA-256 of the content. */
  readonly sha256: string;
}

/** Refuses at once a request whose declared length cannot hold a file within `maxBytes`. */
export function checkDeclaredUploadLength(contentLength: number | undefined, maxBytes: number): void {
  if (contentLength !== undefined && contentLength > maxBytes + MULTIPART_OVERHEAD_BYTES) throw fileTooLarge(maxBytes);
}

/**
 * Streams an upload into the blob store at `blobKey` through a meter (never
 * whole in memory, stopped at `maxBytes`), refuses an empty one and detects
 * its type from what was stored. On any failure no blob is left; once it
 * returns, removing the blob is the caller's job.
 */
export async function storeUpload(blobs: LocalBlobStore, blobKey: string, input: UploadInput, maxBytes: number): Promise<StoredUpload> {
  const meter = new UploadMeter(maxBytes, () => fileTooLarge(maxBytes));
  // pipeline() carries errors both ways: a cut-off upload fails the write, an oversized one stops the
  // upload. Both are awaited so the partial blob is gone before the error is reported.
  const [piped, stored] = await Promise.allSettled([pipeline(input.content, meter), blobs.put(blobKey, meter)]);
  if (piped.status === 'rejected' && piped.reason instanceof AppError) throw piped.reason;
  // The other side of a failure only sees a premature close: the write's own error says more.
  if (stored.status === 'rejected') throw stored.reason;
  if (piped.status === 'rejected') throw piped.reason;
  try {
    if (meter.size === 0) throw ValidationError.field('body.file', 'empty', 'the file is empty');
    const fileName = cleanFileName(input.fileName);
    const head = meter.head;
    const mimeType = await detectMimeType({ fileName, head, complete: head.length === meter.size, open: () => blobs.read(blobKey) });
    return { fileName, mimeType, size: meter.size, sha256: meter.digest() };
  } catch (error) {
    await blobs.delete(blobKey);
    throw error;
  }
}
