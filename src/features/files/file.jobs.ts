import { z } from 'zod';
import { defineJob } from '../../platform/jobs/index.js';

export interface FileTextExtractor {
  extractText(orgId: string, fileId: string, signal?: AbortSignal): Promise<void>;
}

export interface ExpiredFilePurger {
  purgeExpired(options: { signal?: AbortSignal; correlationId: string }): Promise<number>;
}

/** Extracts and caches a file's text once, right after its upload; turns that use the file then read the cache. */
export function fileTextExtractionJob(files: FileTextExtractor) {
  return defineJob({
    name: 'files.extract-text',
    payload: z.object({ orgId: z.string(), fileId: z.string() }),
    // A PDF near the upload limit takes minutes to parse.
    timeoutMs: 10 * 60_000,
    retry: { maxAttempts: 3, baseDelayMs: 10_000, maxDelayMs: 5 * 60_000 },
    async handle(payload, { signal }) {
      await files.extractText(payload.orgId, payload.fileId, signal);
    },
  });
}

/** Deletes files (row and blob) whose time to live has passed. */
export function filePurgeJob(files: ExpiredFilePurger) {
  return defineJob({
    name: 'files.purge-expired',
    payload: z.object({}),
    timeoutMs: 10 * 60_000,
    retry: { maxAttempts: 5, baseDelayMs: 30_000, maxDelayMs: 30 * 60_000 },
    async handle(_payload, { jobId, logger, signal }) {
      const purged = await files.purgeExpired({ signal, correlationId: jobId });
      if (purged > 0) logger.info({ purged }, 'purged expired files');
    },
  });
}
