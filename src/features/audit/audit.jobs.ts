import { z } from 'zod';
import { defineJob } from '../../platform/jobs/index.js';
import type { AuditService } from './audit.service.js';

export interface AuditPurgeDependencies {
  readonly audit: AuditService;
  /** Each organization's retention in days (organizations own that setting). */
  readonly retentionPolicies: () => Promise<Array<{ orgId: string; retentionDays: number }>>;
}

/** Purges audit events older than each organization's `auditLogRetentionDays`. */
export function auditPurgeJob(deps: AuditPurgeDependencies) {
  return defineJob({
    name: 'audit.purge-expired',
    payload: z.object({}),
    timeoutMs: 5 * 60_000,
    retry: { maxAttempts: 5, baseDelayMs: 30_000, maxDelayMs: 30 * 60_000 },
    async handle(_payload, { logger, signal }) {
      let purged = 0;
      for (const policy of await deps.retentionPolicies()) {
        signal.throwIfAborted();
        purged += await deps.audit.purgeExpired(policy.orgId, policy.retentionDays);
      }
      if (purged > 0) logger.info({ purged }, 'purged expired audit events');
    },
  });
}
