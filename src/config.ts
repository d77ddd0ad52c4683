import path from 'node:path';
import { z } from 'zod';
import { type ModelPrice, priceOverridesSchema } from './features/usage/price-table.js';
import { parseOutboundAllowList } from './platform/outbound/index.js';

/**
 * Every setting Agentry reads, parsed once at start-up. `.env.example` lists the
 * same variables; keep the two in step.
 */
const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  AGENTRY_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  AGENTRY_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .optional(),
  AGENTRY_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  AGENTRY_ADMIN_KEY: z.string().min(16, 'must be at least 16 characters').max(512).optional(),
  AGENTRY_BOOTSTRAP_ORG_NAME: z.string().min(1).max(200).default('Default organization'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AGENTRY_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  AGENTRY_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  AGENTRY_HEAP_GROWTH_PERCENT: z.coerce.number().int().min(0).max(400).default(50),
  AGENTRY_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  AGENTRY_WORKERS: z.enum(['true', 'false']).default('true'),
  AGENTRY_JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  AGENTRY_JOB_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(1_000),
  AGENTRY_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(365),
  AGENTRY_FILE_MAX_BYTES: z.coerce.number().int().min(1).default(200 * 1024 * 1024),
  AGENTRY_FILE_TTL_HOURS: z.coerce.number().positive().max(87_600).default(24),
  AGENTRY_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  AGENTRY_OUTBOUND_ALLOW: z
    .string()
    .optional()
    .superRefine((value, context) => {
      try {
        parseOutboundAllowList(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      }
    }),
  AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES: z.coerce.number().int().min(1024).default(64 * 1024 * 1024),
  AGENTRY_SSE_PING_INTERVAL_MS: z.coerce.number().int().min(0).default(15_000),
  AGENTRY_TURN_FLUSH_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(250),
  AGENTRY_CONTEXT_TOKENS: z.coerce.number().int().min(256).default(32_000),
  AGENTRY_AGENT_MAX_STEPS: z.coerce.number().int().min(1).max(100).default(10),
  AGENTRY_AGENT_MAX_DEPTH: z.coerce.number().int().min(0).max(10).default(3),
  AGENTRY_EMBEDDINGS: z
    .string()
    .regex(/^(local|[A-Za-z0-9][\w.-]*:.+)$/, 'must be `local` or `<connection>:<model>`')
    .default('local'),
  AGENTRY_EMBEDDING_WORKERS: z.coerce.number().int().min(1).max(16).default(1),
  AGENTRY_INDEX_LEASE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
  AGENTRY_INDEX_SWEEP_MS: z.coerce.number().int().min(500).max(3_600_000).default(30_000),
  AGENTRY_INDEX_RETRY_MS: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
  AGENTRY_MODEL_PRICES: z
    .string()
    .optional()
    .transform((value, context) => {
      if (!value) return {};
      try {
        const parsed = priceOverridesSchema.safeParse(JSON.parse(value));
        if (parsed.success) return parsed.data;
        context.addIssue({ code: 'custom', message: `must map model names to {input, output, cachedInput?} prices: ${parsed.error.issues[0]?.message ?? ''}` });
      } catch {
        context.addIssue({ code: 'custom', message: 'must be JSON' });
      }
      return z.NEVER;
    }),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  GEMINI_API_KEY: z.string().min(1).optional(),
  OLLAMA_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
});

export type Environment = Record<string, string | undefined>;

export interface Config {
  readonly server: {
    readonly port: number;
    readonly host: string;
    readonly bodyLimitBytes: number;
    readonly shutdownTimeoutMs: number;
    /** How far past its live size V8 may grow the old generation before collecting it (0: V8's own heuristic). */
    readonly heapGrowthPercent: number;
  };
  readonly dataDir: string;
  readonly database:
    | { readonly dialect: 'sqlite'; readonly file: string }
    | { readonly dialect: 'postgres'; readonly url: string; readonly schema?: string; readonly poolSize: number };
  /** Set: cross-node events (turn cancels) travel through Redis pub/sub instead of PostgreSQL LISTEN/NOTIFY. */
  readonly redisUrl?: string;
  readonly blobDir: string;
  readonly bootstrap: { readonly adminKey?: string; readonly organizationName: string };
  readonly logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL'];
  readonly auth: { readonly keyCacheTtlMs: number };
  readonly jobs: { readonly runWorkers: boolean; readonly concurrency: number; readonly pollIntervalMs: number };
  readonly audit: { readonly defaultRetentionDays: number };
  /** Uploaded files: the largest accepted, and how long one is kept. */
  readonly files: { readonly maxBytes: number; readonly ttlHours: number };
  /** Encrypts secrets at rest; when unset, a key file in the data directory is used (created once). */
  readonly secretKey?: string;
  /** Tenant-addressed servers: which private addresses they may have, and the largest response one may send. */
  readonly outbound: { readonly allow: string; readonly maxResponseBytes: number };
  /** Silence after which streamed responses get a `: ping` comment (0: never). */
  readonly ssePingIntervalMs: number;
  /** How often a running turn saves its partial reply (and finds a cancel flag), and the history budget of agents without one. */
  readonly turns: {
    readonly flushIntervalMs: number;
    readonly defaultContextTokens: number;
    /** Model calls with tool results one turn may make. */
    readonly maxToolSteps: number;
    /** How many agents deep sub-agent calls may go. */
    readonly maxSubAgentDepth: number;
  };
  /** Knowledge indexing: the default embedding model, its worker threads, and how work left by a dead node is resumed. */
  readonly knowledge: {
    /** `local` (the built-in model) or `<connection>:<model>`. */
    readonly embeddings: string;
    readonly embeddingWorkers: number;
    /** How long a pipeline worker's claim on a document lasts. */
    readonly leaseMs: number;
    /** How often Queued documents nobody holds are looked for. */
    readonly sweepIntervalMs: number;
    /** The first wait before a document whose embedding failed is tried again; doubles per attempt. */
    readonly retryBaseMs: number;
  };
  /** Operator price overrides (USD per million tokens), by model or `<connection>/<model>`. */
  readonly modelPrices: Readonly<Record<string, ModelPrice>>;
  /** Provider endpoints the operator declares; they appear in every organization as read-only connections. */
  readonly providers: {
    readonly openai?: { readonly apiKey?: string; readonly baseUrl: string };
    readonly anthropic?: { readonly apiKey: string };
    readonly gemini?: { readonly apiKey: string };
    readonly ollama?: { readonly baseUrl: string };
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Empty strings count as unset, as they do in most `.env` conventions. */
function withoutEmptyValues(environment: Environment): Environment {
  return Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''));
}

export function loadConfig(environment: Environment, workingDirectory: string = process.cwd()): Config {
  const parsed = environmentSchema.safeParse(withoutEmptyValues(environment));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = parsed.data;
  const dataDir = path.resolve(workingDirectory, env.AGENTRY_DATA_DIR);
  const database: Config['database'] = env.DATABASE_URL
    ? {
        dialect: 'postgres',
        url: env.DATABASE_URL,
        ...(env.AGENTRY_DATABASE_SCHEMA ? { schema: env.AGENTRY_DATABASE_SCHEMA } : {}),
        poolSize: env.AGENTRY_DB_POOL_SIZE,
      }
    : { dialect: 'sqlite', file: path.join(dataDir, 'agentry.db') };

  return deepFreeze({
    server: {
      port: env.PORT,
      host: env.HOST,
      bodyLimitBytes: env.AGENTRY_BODY_LIMIT_BYTES,
      shutdownTimeoutMs: env.AGENTRY_SHUTDOWN_TIMEOUT_MS,
      heapGrowthPercent: env.AGENTRY_HEAP_GROWTH_PERCENT,
    },
    dataDir,
    database,
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    blobDir: path.join(dataDir, 'blobs'),
    bootstrap: {
      ...(env.AGENTRY_ADMIN_KEY ? { adminKey: env.AGENTRY_ADMIN_KEY } : {}),
      organizationName: env.AGENTRY_BOOTSTRAP_ORG_NAME,
    },
    logLevel: env.LOG_LEVEL,
    auth: { keyCacheTtlMs: env.AGENTRY_KEY_CACHE_TTL_MS },
    jobs: {
      runWorkers: env.AGENTRY_WORKERS === 'true',
      concurrency: env.AGENTRY_JOB_CONCURRENCY,
      pollIntervalMs: env.AGENTRY_JOB_POLL_INTERVAL_MS,
    },
    audit: { defaultRetentionDays: env.AGENTRY_AUDIT_RETENTION_DAYS },
    files: { maxBytes: env.AGENTRY_FILE_MAX_BYTES, ttlHours: env.AGENTRY_FILE_TTL_HOURS },
    ...(env.AGENTRY_SECRET_KEY ? { secretKey: env.AGENTRY_SECRET_KEY } : {}),
    outbound: { allow: env.AGENTRY_OUTBOUND_ALLOW ?? '', maxResponseBytes: env.AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES },
    ssePingIntervalMs: env.AGENTRY_SSE_PING_INTERVAL_MS,
    turns: {
      flushIntervalMs: env.AGENTRY_TURN_FLUSH_INTERVAL_MS,
      defaultContextTokens: env.AGENTRY_CONTEXT_TOKENS,
      maxToolSteps: env.AGENTRY_AGENT_MAX_STEPS,
      maxSubAgentDepth: env.AGENTRY_AGENT_MAX_DEPTH,
    },
    knowledge: {
      embeddings: env.AGENTRY_EMBEDDINGS,
      embeddingWorkers: env.AGENTRY_EMBEDDING_WORKERS,
      leaseMs: env.AGENTRY_INDEX_LEASE_MS,
      sweepIntervalMs: env.AGENTRY_INDEX_SWEEP_MS,
      retryBaseMs: env.AGENTRY_INDEX_RETRY_MS,
    },
    modelPrices: env.AGENTRY_MODEL_PRICES,
    providers: declaredProviders(env),
  });
}

function declaredProviders(env: z.infer<typeof environmentSchema>): Config['providers'] {
  return {
    ...(env.OPENAI_API_KEY || env.OPENAI_BASE_URL
      ? {
          openai: {
            baseUrl: env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
            ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
          },
        }
      : {}),
    ...(env.ANTHROPIC_API_KEY ? { anthropic: { apiKey: env.ANTHROPIC_API_KEY } } : {}),
    ...(env.GEMINI_API_KEY ? { gemini: { apiKey: env.GEMINI_API_KEY } } : {}),
    ...(env.OLLAMA_BASE_URL ? { ollama: { baseUrl: env.OLLAMA_BASE_URL } } : {}),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
