import { z } from 'zod';
import type { DatabaseHandle } from '../../../platform/db/database.js';
import { nowIso } from '../../../platform/db/dialect.js';
import { type JobDefinition, type JobQueue, defineJob } from '../../../platform/jobs/index.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { KnowledgeIndexingHooks } from '../indexing-hooks.js';
import type { DocumentIndexer } from './document-indexer.js';

/** Documents one job run handles before it hands the rest to a new job, so no run holds its lease for long. */
const DOCUMENTS_PER_RUN = 2_000;
/** Writes to one collection within this window start one job, not one each. */
const SCHEDULE_DEBOUNCE_MS = 100;

const collectionPayload = z.object({ orgId: z.string(), collectionId: z.string() });
type CollectionPayload = z.infer<typeof collectionPayload>;

export interface KnowledgeIndexingOptions {
  readonly db: DatabaseHandle;
  readonly queue: JobQueue;
  readonly indexer: DocumentIndexer;
  readonly defaultEmbeddingModel: string;
  readonly validateEmbeddingModel: KnowledgeIndexingHooks['validateEmbeddingModel'];
  readonly logger: Logger;
}

/**
 * Connects the knowledge services to the job queue: a write that queues documents
 * schedules an index job for its collection, and a recurring sweep schedules one for
 * every collection with claimable documents, which is how work left by a node that
 * died (its leases expired) or a schedule lost before it reached the queue is resumed.
 */
export class KnowledgeIndexing implements KnowledgeIndexingHooks {
  readonly defaultEmbeddingModel: string;
  readonly indexJob: JobDefinition<CollectionPayload>;
  readonly sweepJob: JobDefinition<Record<string, never>>;
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: KnowledgeIndexingOptions) {
    this.defaultEmbeddingModel = options.defaultEmbeddingModel;
    this.indexJob = defineJob({
      name: 'knowledge.index-collection',
      payload: collectionPayload,
      timeoutMs: 15 * 60_000,
      retry: { maxAttempts: 5, baseDelayMs: 5_000, maxDelayMs: 5 * 60_000 },
      handle: async (payload, { signal, logger }) => {
        const result = await options.indexer.indexCollection(payload.orgId, payload.collectionId, { maxDocuments: DOCUMENTS_PER_RUN, signal });
        if (result.indexed > 0 || result.failed > 0) logger.info({ ...payload, ...result }, 'indexed documents');
        if (result.more) await options.queue.enqueue(this.indexJob, payload, { orgId: payload.orgId });
      },
    });
    this.sweepJob = defineJob({
      name: 'knowledge.index-sweep',
      payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
      timeoutMs: 60_000,
      retry: { maxAttempts: 3, baseDelayMs: 5_000, maxDelayMs: 60_000 },
      handle: async () => {
        for (const collection of await this.collectionsWithClaimableDocuments()) {
          await options.queue.enqueue(this.indexJob, { orgId: collection.org_id, collectionId: collection.collection_id }, { orgId: collection.org_id });
        }
      },
    });
  }

  validateEmbeddingModel(orgId: string, model: string, field: string): Promise<void> {
    return this.options.validateEmbeddingModel(orgId, model, field);
  }

  schedule(orgId: string, collectionId: string): void {
    if (this.pending.has(collectionId)) return;
    const timer = setTimeout(() => {
      this.pending.delete(collectionId);
      this.options.queue.enqueue(this.indexJob, { orgId, collectionId }, { orgId }).catch((error: unknown) => {
        // The sweep picks the documents up; nothing is lost.
        this.options.logger.warn({ err: error, collectionId }, 'could not schedule indexing; the sweep will');
      });
    }, SCHEDULE_DEBOUNCE_MS);
    timer.unref();
    this.pending.set(collectionId, timer);
  }

  /** Schedules what is still pending at once, e.g. before shutdown. */
  async flush(): Promise<void> {
    const due = [...this.pending.keys()];
    for (const [, timer] of this.pending) clearTimeout(timer);
    this.pending.clear();
    for (const collectionId of due) {
      const row = await this.options.db.selectFrom('collections').select(['org_id']).where('id', '=', collectionId).executeTakeFirst();
      if (row) await this.options.queue.enqueue(this.indexJob, { orgId: row.org_id, collectionId }, { orgId: row.org_id });
    }
  }

  private async collectionsWithClaimableDocuments(): Promise<{ org_id: string; collection_id: string }[]> {
    const now = nowIso();
    return this.options.db
      .selectFrom('documents')
      .select(['org_id', 'collection_id'])
      .where('state', '=', 'Queued')
      .where((eb) => eb.or([eb('index_lease_until', 'is', null), eb('index_lease_until', '<', now)]))
      .groupBy(['org_id', 'collection_id'])
      .execute();
  }
}
