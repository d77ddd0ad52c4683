import { ApiKeyService } from './features/api-keys/index.js';
import { AuditService, auditPurgeJob } from './features/audit/index.js';
import { OrganizationService } from './features/organizations/index.js';
import type { Config } from './config.js';
import { LocalBlobStore } from './platform/blobs/local-blob-store.js';
import { type Database, openDatabase } from './platform/db/database.js';
import { migrateToLatest } from './platform/db/migrate.js';
import { JobQueue, JobWorker } from './platform/jobs/index.js';
import { type Logger, createLogger } from './platform/logging/logger.js';
import { type HttpMetrics, createMetrics } from './platform/metrics/metrics.js';

export interface Container {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly metrics: HttpMetrics;
  readonly blobs: LocalBlobStore;
  readonly audit: AuditService;
  readonly apiKeys: ApiKeyService;
  readonly organizations: OrganizationService;
  readonly jobQueue: JobQueue;
  readonly jobWorker: JobWorker;
  /** Fires when the process starts shutting down, so long streams can end cleanly. */
  readonly shutdownSignal: AbortSignal;
  beginShutdown(): void;
  close(): Promise<void>;
}

export interface ContainerOptions {
  readonly logger?: Logger;
  /** Apply pending migrations while building (the default). */
  readonly migrate?: boolean;
}

const HOUR_MS = 3_600_000;

/** The composition root: builds every service from the validated configuration. */
export async function createContainer(config: Config, options: ContainerOptions = {}): Promise<Container> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = await openDatabase(config.database);
  try {
    if (options.migrate ?? true) await migrateToLatest(database);
    const blobs = new LocalBlobStore(config.blobDir);
    await blobs.init();
    const audit = new AuditService(database.handle);
    const apiKeys = new ApiKeyService(database.handle, audit, {
      cacheTtlMs: config.auth.keyCacheTtlMs,
      onBackgroundError: (error) => logger.warn({ err: error }, 'could not record API key use'),
    });
    const organizations = new OrganizationService(database.handle, audit, apiKeys, {
      defaultAuditRetentionDays: config.audit.defaultRetentionDays,
    });
    const jobQueue = new JobQueue(database);
    const purge = auditPurgeJob({ audit, retentionPolicies: () => organizations.auditRetentionPolicies() });
    const jobWorker = new JobWorker({
      queue: jobQueue,
      definitions: [purge],
      recurring: [{ definition: purge, payload: {}, everyMs: HOUR_MS }],
      concurrency: config.jobs.concurrency,
      pollIntervalMs: config.jobs.pollIntervalMs,
      logger: logger.child({ component: 'jobs' }),
    });
    const shutdown = new AbortController();
    return {
      config,
      logger,
      database,
      metrics: createMetrics(),
      blobs,
      audit,
      apiKeys,
      organizations,
      jobQueue,
      jobWorker,
      shutdownSignal: shutdown.signal,
      beginShutdown: () => shutdown.abort(new Error('server shutting down')),
      async close() {
        shutdown.abort(new Error('server shutting down'));
        await jobWorker.stop(config.server.shutdownTimeoutMs);
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
