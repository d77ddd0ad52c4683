import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BadRequestError } from '../errors.js';

/** Keys are relative paths of safe segments: no `..`, no absolute paths, no odd characters. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Blobs as files under one root directory. Every key is checked segment by
 * segment and the resolved path must stay inside the root, so a key taken
 * from a request can never reach another file.
 */
export class LocalBlobStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  async init(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true });
  }

  resolve(key: string): string {
    const segments = key.split('/');
    if (segments.length === 0 || !segments.every((segment) => SEGMENT.test(segment) && segment !== '..')) {
      throw new BadRequestError('invalid_blob_key', `Blob key '${key}' is not a safe relative path.`);
    }
    const resolved = path.resolve(this.root, ...segments);
    if (!resolved.startsWith(this.root + path.sep)) {
      throw new BadRequestError('invalid_blob_key', `Blob key '${key}' resolves outside the blob store.`);
    }
    return resolved;
  }

  /** Writes to a temporary file first, so a reader never sees a half-written blob. */
  async put(key: string, content: Readable | Buffer): Promise<void> {
    const target = this.resolve(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.${Date.now()}.partial`;
    try {
      if (Buffer.isBuffer(content)) await fs.writeFile(temporary, content);
      else await pipeline(content, createWriteStream(temporary));
      await fs.rename(temporary, target);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
  }

  /** Reads the blob, or only the inclusive byte range `start`–`end` of it. */
  read(key: string, range?: { readonly start: number; readonly end: number }): Readable {
    return createReadStream(this.resolve(key), range ? { start: range.start, end: range.end } : undefined);
  }

  async exists(key: string): Promise<boolean> {
    return fs.access(this.resolve(key)).then(
      () => true,
      () => false,
    );
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.resolve(key), { force: true });
  }
}
