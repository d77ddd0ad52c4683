import { AgentFileService } from './features/agent-files/index.js';
import { AgentService, AiGatewayService, acceptsImages } from './features/ai-gateways/index.js';
import { ApiKeyService } from './features/api-keys/index.js';
import { AuditService, auditPurgeJob } from './features/audit/index.js';
import { ConnectionService, systemConnections } from './features/connections/index.js';
import { FileService } from './features/files/index.js';
import {
  CollectionService,
  DocumentIndexer,
  DocumentService,
  KnowledgeIndexing,
  KnowledgeSearch,
  retrieveForTurn,
} from './features/knowledge/index.js';
import { createEmbedderRegistry } from './features/knowledge/embeddings/index.js';
import { readModelReply } from './features/conversations/model-reply.js';
import { MemoryService } from './features/memories/index.js';
import { SkillService } from './features/skills/index.js';
import { createAgentToolsetProvider } from './features/tools/agent-toolset.js';
import { builtinTools, memoryContext } from './features/tools/builtins/index.js';
import { AgentCompletions, type AgentLookup, ConversationService, TurnRunner } from './features/conversations/index.js';
import { ChatCompletionService, ModelCatalog, type OutboundRequest, createFetchFor } from './features/inference/index.js';
import { OrganizationService } from './features/organizations/index.js';
import { DatabaseCounterStore, type RateCounterStore, RateLimiter, RedisCounterStore } from './features/limits/index.js';
import { PriceTable, type UsageBalances, UsageRecorder, UsageService, databaseUsageStore, threadUsageStore } from './features/usage/index.js';
import { ExternalToolSources } from './features/tools/index.js';
import type { Config } from './config.js';
import { LocalBlobStore } from './platform/blobs/local-blob-store.js';
import { type Database, openDatabase } from './platform/db/database.js';
import { SqliteWriteThread } from './platform/db/sqlite-write-thread.js';
import { migrateToLatest } from './platform/db/migrate.js';
import { createBroadcast, redisNamespace } from './platform/events/index.js';
import { JobQueue, JobWorker } from './platform/jobs/index.js';
import { type Logger, createLogger } from './platform/logging/logger.js';
import { type HttpMetrics, createMetrics } from './platform/metrics/metrics.js';
import { OutboundPolicy, assertOutboundUrl, createOutboundClient } from './platform/outbound/index.js';
import { SecretBox } from './platform/security/secret-box.js';
import { resolveSecretKey } from './platform/security/secret-key-file.js';

export interface Container {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly metrics: HttpMetrics;
  readonly blobs: LocalBlobStore;
  readonly audit: AuditService;
  readonly apiKeys: ApiKeyService;
  readonly organizations: OrganizationService;
  readonly connections: ConnectionService;
  readonly aiGateways: AiGatewayService;
  readonly agents: AgentService;
  readonly chatCompletions: ChatCompletionService;
  readonly files: FileService;
  readonly memories: MemoryService;
  readonly skills: SkillService;
  readonly collections: CollectionService;
  readonly documents: DocumentService;
  readonly knowledgeSearch: KnowledgeSearch;
  readonly agentFiles: AgentFileService;
  readonly conversations: ConversationService;
  readonly turns: TurnRunner;
  readonly agentCompletions: AgentCompletions;
  /** HTTP callback, MCP and instruction-source tools of an agent, for the tool loop. */
  readonly toolSources: ExternalToolSources;
  readonly modelCatalog: ModelCatalog;
  readonly usageRecorder: UsageRecorder;
  readonly usage: UsageService;
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
    const secretKey = resolveSecretKey(config.secretKey, config.dataDir);
    if (secretKey.source === 'file' && database.dialect === 'postgres') {
      logger.warn('AGENTRY_SECRET_KEY is not set: secrets are encrypted with data/secret.key, which other nodes do not share');
    }
    // The AI SDK logs provider warnings (ignored settings…) to the console by default; they belong in the log.
    globalThis.AI_SDK_LOG_WARNINGS = ({ warnings, provider, model }) => logger.debug({ warnings, provider, model }, 'AI SDK warnings');
    const policy = OutboundPolicy.fromSetting(config.outbound.allow);
    // Tenant-addressed servers get a response size limit: a buffered reply is held whole in memory.
    const tenantOutbound = createOutboundClient({ policy, maxResponseBytes: config.outbound.maxResponseBytes });
    const operatorOutbound = createOutboundClient({ policy, trusted: true });
    /** Only endpoints the operator declared skip the address policy. */
    const clientFor = (trusted: boolean) => (trusted ? operatorOutbound : tenantOutbound);
    // The options go on as they are: the client picks the fields it knows, so `trusted` is not sent anywhere.
    const outbound: OutboundRequest = {
      streamed: (url, options) => clientFor(options.trusted).requestStreamed(url, options),
      buffered: (url, options) => clientFor(options.trusted).requestBuffered(url, options),
    };
    const connections = new ConnectionService({
      db: database.handle,
      audit,
      secrets: new SecretBox(secretKey.key),
      systemConnections: systemConnections(config.providers),
      disabledTypes: (orgId) => organizations.disabledConnectionTypes(orgId),
      checkBaseUrl: async (url) => {
        await assertOutboundUrl(url, policy);
      },
    });
    const aiGateways = new AiGatewayService({
      db: database.handle,
      audit,
      secrets: new SecretBox(secretKey.key),
      checkBaseUrl: async (url) => {
        await assertOutboundUrl(url, policy);
      },
      agentKeys: apiKeys,
    });
    const agents = new AgentService({
      aiGateways,
      apiKeys,
      connections: async (orgId) => (await connections.list(orgId, { offset: 0, limit: Number.MAX_SAFE_INTEGER })).items,
      organizationName: async (orgId) => (await organizations.getAccount(orgId)).name,
    });
    const balances: UsageBalances = {
      deduction: (orgId, amount) => organizations.balanceDeduction(orgId, amount),
      deducted: (orgId) => organizations.forgetBalance(orgId),
    };
    const usageWriteThread = config.database.dialect === 'sqlite' ? new SqliteWriteThread(config.database.file) : undefined;
    const usageRecorder = new UsageRecorder({
      store: usageWriteThread ? threadUsageStore(database.handle, usageWriteThread, balances) : databaseUsageStore(database.handle, balances),
      logger: logger.child({ component: 'usage' }),
    });
    const prices = new PriceTable(config.modelPrices);
    const databaseCounters = new DatabaseCounterStore(database.handle);
    const rateCounters: RateCounterStore = config.redisUrl
      ? new RedisCounterStore({
          url: config.redisUrl,
          namespace: redisNamespace(config),
          fallback: databaseCounters,
          logger: logger.child({ component: 'rate-limits' }),
        })
      : databaseCounters;
    // One guarded fetch for every AI SDK provider: inference, and knowledge embeddings.
    const fetchFor = createFetchFor({ tenant: tenantOutbound.dispatcher, operator: operatorOutbound.dispatcher });
    const chatCompletions = new ChatCompletionService({
      connections,
      aiGateways,
      outbound,
      fetchFor,
      prices,
      usage: usageRecorder,
      assertCanSpend: (orgId) => organizations.assertCanSpend(orgId),
      limiter: new RateLimiter(rateCounters),
      reportBackgroundError: (error) => logger.warn({ err: error }, 'could not update token counters'),
    });
    const toolSources = new ExternalToolSources({
      outbound: tenantOutbound,
      fetchFor,
      orgSalt: (orgId) => organizations.getSalt(orgId),
      logger: logger.child({ component: 'tools' }),
    });
    const agentLookup: AgentLookup = async (orgId, agentId) => {
      const agent = await aiGateways.resolve(orgId, agentId);
      return {
        id: agent.id,
        name: agent.name,
        initialMessage: agent.profile.initialMessage ?? null,
        enableFeedback: agent.profile.enableFeedback ?? false,
        contextMaximumSize: agent.parameters.contextMaximumSize ?? null,
        acceptsImages: acceptsImages(agent.parameters),
        subAgents: agent.profile.subAgents ?? [],
        toolContextCount: agent.parameters.toolContextCount ?? null,
        explainToolCalls: agent.parameters.toolInvocationExplanations ?? false,
        description: agent.profile.description ?? null,
      };
    };
    const jobQueue = new JobQueue(database);
    const files = new FileService({
      db: database.handle,
      blobs,
      audit,
      queue: jobQueue,
      maxBytes: config.files.maxBytes,
      ttlMs: config.files.ttlHours * HOUR_MS,
    });
    const memories = new MemoryService({ db: database.handle, audit });
    const skills = new SkillService({ db: database.handle, audit });
    const metrics = createMetrics();
    const embedders = createEmbedderRegistry({
      connections,
      fetchFor,
      defaultModel: config.knowledge.embeddings,
      local: { workers: config.knowledge.embeddingWorkers, onCompute: (milliseconds) => metrics.observeLocalEmbedding(milliseconds / 1000) },
    });
    const knowledgeIndexing = new KnowledgeIndexing({
      db: database.handle,
      queue: jobQueue,
      indexer: new DocumentIndexer({
        db: database.handle,
        dialect: database.dialect,
        embedders,
        defaultModel: config.knowledge.embeddings,
        leaseMs: config.knowledge.leaseMs,
        retryBaseMs: config.knowledge.retryBaseMs,
        // One built-in-model batch (32 texts) per worker thread, so every worker has work.
        batchSize: 32 * config.knowledge.embeddingWorkers,
        onBatch: (figures) => metrics.observeIndexBatch(figures),
        logger: logger.child({ component: 'knowledge' }),
      }),
      defaultEmbeddingModel: config.knowledge.embeddings,
      validateEmbeddingModel: async (orgId, model) => {
        await embedders.forModel(orgId, model);
      },
      logger: logger.child({ component: 'knowledge' }),
    });
    const knowledgeSearch = new KnowledgeSearch({ db: database.handle, dialect: database.dialect, embedders });
    const collections = new CollectionService({ db: database.handle, audit, indexing: knowledgeIndexing });
    const documents = new DocumentService({ db: database.handle, audit, indexing: knowledgeIndexing });
    const agentFiles = new AgentFileService({ db: database.handle, blobs, audit, agents, collections, documents, maxBytes: config.files.maxBytes });
    const broadcast = createBroadcast(config, logger.child({ component: 'broadcast' }));
    const turns = new TurnRunner({
      db: database.handle,
      broadcast,
      agents: agentLookup,
      complete: (caller, request, options) => chatCompletions.complete(caller, request, options),
      fileContext: (orgId, fileIds) => files.contextFor(orgId, fileIds),
      toolsets: createAgentToolsetProvider({
        resolveAgent: (orgId, agentId) => aiGateways.resolve(orgId, agentId),
        external: toolSources,
        builtins: (names) => builtinTools(names, { memories, request: { outbound: tenantOutbound } }),
        skills: (orgId, slugs) => skills.bySlugs(orgId, slugs),
        memories: (orgId, externalUserId, options) => memories.forUser(orgId, externalUserId, options),
        memoryContext,
        knowledge: (request) =>
          retrieveForTurn(
            {
              search: (orgId, query, signal) => knowledgeSearch.search(orgId, query, signal),
              collections: (orgId, ids) => collections.describe(orgId, ids),
              recentMessages: (orgId, conversationId, limit, roles, throughSeq) => conversations.recentLines(orgId, conversationId, limit, roles, throughSeq),
              rewrite: async (instructions, transcript, signal) => {
                const caller = request.caller;
                const result = await chatCompletions.complete(
                  caller,
                  { model: request.agentId, messages: [{ role: 'system', content: instructions }, { role: 'user', content: transcript }], stream: false },
                  { signal, pingIntervalMs: 0 },
                );
                return (await readModelReply(result, () => undefined)).content;
              },
              onRewriteFailure: (error) => logger.warn({ err: error, agentId: request.agentId }, 'query rewrite failed; searched with the plain message'),
            },
            request,
          ),
        logger: logger.child({ component: 'tools' }),
      }),
      openChildConversation: async (actor, agentId, link) => {
        const child = await conversations.create(actor, agentId, {
          name: 'Sub-agent call',
          channel: 'sub-agent',
          externalUserId: link.externalUserId,
          metadata: { parentConversationId: link.parentConversationId, parentAgentId: link.parentAgentId },
        });
        return child.id;
      },
      logger: logger.child({ component: 'turns' }),
      flushIntervalMs: config.turns.flushIntervalMs,
      defaultContextTokens: config.turns.defaultContextTokens,
      maxToolSteps: config.turns.maxToolSteps,
      maxSubAgentDepth: config.turns.maxSubAgentDepth,
    });
    const agentCompletions = new AgentCompletions({
      resolveAgent: (orgId, idOrSlug) => aiGateways.resolve(orgId, idOrSlug),
      agents: agentLookup,
      toolsetFor: (agent, context, userText) => turns.toolsetFor(agent, context, userText),
      complete: (caller, request, options) => chatCompletions.complete(caller, request, options),
      prices,
      maxToolSteps: config.turns.maxToolSteps,
    });
    const conversations = new ConversationService({
      db: database.handle,
      audit,
      agents: agentLookup,
      cancelTurns: async (actor, conversationId) => {
        await turns.cancel(actor, conversationId);
      },
    });
    const purge = auditPurgeJob({ audit, retentionPolicies: () => organizations.auditRetentionPolicies() });
    const jobWorker = new JobWorker({
      queue: jobQueue,
      definitions: [purge, files.jobs.extractText, files.jobs.purgeExpired, memories.jobs.purgeExpired, knowledgeIndexing.indexJob, knowledgeIndexing.sweepJob],
      recurring: [
        { definition: knowledgeIndexing.sweepJob, payload: {}, everyMs: config.knowledge.sweepIntervalMs },
        { definition: purge, payload: {}, everyMs: HOUR_MS },
        { definition: files.jobs.purgeExpired, payload: {}, everyMs: HOUR_MS / 4 },
        { definition: memories.jobs.purgeExpired, payload: {}, everyMs: HOUR_MS },
      ],
      concurrency: config.jobs.concurrency,
      pollIntervalMs: config.jobs.pollIntervalMs,
      logger: logger.child({ component: 'jobs' }),
    });
    const shutdown = new AbortController();
    return {
      config,
      logger,
      database,
      metrics,
      blobs,
      audit,
      apiKeys,
      organizations,
      connections,
      aiGateways,
      agents,
      chatCompletions,
      files,
      memories,
      skills,
      collections,
      documents,
      knowledgeSearch,
      agentFiles,
      conversations,
      turns,
      agentCompletions,
      toolSources,
      modelCatalog: new ModelCatalog({
        connections,
        outbound,
        onProviderError: (connection, error) => logger.warn({ err: error, connection }, 'could not list the models of a provider'),
      }),
      usageRecorder,
      usage: new UsageService(database.handle),
      jobQueue,
      jobWorker,
      shutdownSignal: shutdown.signal,
      beginShutdown: () => shutdown.abort(new Error('server shutting down')),
      async close() {
        shutdown.abort(new Error('server shutting down'));
        // Turns run detached from their requests, so the server's own drain does not wait for them.
        await turns.drain(config.server.shutdownTimeoutMs);
        await broadcast.close();
        await rateCounters.close();
        await knowledgeIndexing.flush().catch((error: unknown) => logger.warn({ err: error }, 'could not schedule pending indexing'));
        await jobWorker.stop(config.server.shutdownTimeoutMs);
        await embedders.close();
        await usageRecorder.stop();
        await usageWriteThread?.close();
        await Promise.all([tenantOutbound.close(), operatorOutbound.close()]);
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
