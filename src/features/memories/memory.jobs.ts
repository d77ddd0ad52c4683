import { z } from 'zod';
import { defineJob } from '../../platform/jobs/index.js';

export interface ExpiredMemoryPurger {
  purgeExpired(options: { signal?: AbortSignal }): Promise<number>;
}

/**
 * Deletes DateReminder memories past their `expiresAt`. Readers already skip
 * them, so this only reclaims rows; expiry is not audited, like any lifecycle
 * the user asked for when the reminder was stored.
 */
export function memoryPurgeJob(memories: ExpiredMemoryPurger) {
  return defineJob({
    name: 'memories.purge-expired',
    payload: z.object({}),
    timeoutMs: 5 * 60_000,
    retry: { maxAttempts: 5, baseDelayMs: 30_000, maxDelayMs: 30 * 60_000 },
    async handle(_payload, { logger, signal }) {
      const purged = await memories.purgeExpired({ signal });
      if (purged > 0) logger.info({ purged }, 'purged expired memories');
    },
  });
}
