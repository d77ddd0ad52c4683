import type { ConnectionService } from '../../connections/index.js';
import type { FetchFor } from '../../inference/index.js';
import { ConnectionEmbedder } from './connection-embedder.js';
import type { Embedder } from './embedder.js';
import { parseEmbeddingModel } from './embedding-model.js';
import { LocalEmbedder, type LocalEmbedderOptions } from './local-embedder.js';

export interface EmbedderRegistryDependencies {
  /** Finds a connection by name in the organization, operator (environment) connections included. */
  readonly connections: Pick<ConnectionService, 'resolve'>;
  /** The guarded `fetch` for provider calls (address policy, per-connection timeouts). */
  readonly fetchFor: FetchFor;
  /** The model new collections use (the AGENTRY_EMBEDDINGS setting): `local` or `<connection>:<model>`. */
  readonly defaultModel: string;
  readonly local?: LocalEmbedderOptions;
  /**
   * How long a connection's embedder is reused, default 60 s. It holds the
   * resolved connection (key, base URL) and the dimensions it learned, so an
   * edited or deleted connection takes effect within this time.
   */
  readonly cacheTtlMs?: number;
}

export interface EmbedderRegistry {
  /** The model new collections use: `local` or `<connection>:<model>`. */
  readonly defaultModel: string;
  /**
   * The embedder for a model id. An unknown connection is a not-found error
   * naming it; a malformed id, or a connection type without embeddings, a bad request.
   */
  forModel(orgId: string, model: string): Promise<Embedder>;
  /** Ends the built-in model's workers. */
  close(): Promise<void>;
}

const DEFAULT_CACHE_TTL_MS = 60_000;

/** The embedders of every organization: one shared built-in model, and connection models resolved per organization. */
export function createEmbedderRegistry(deps: EmbedderRegistryDependencies): EmbedderRegistry {
  // A malformed setting fails at startup rather than on the first collection.
  parseEmbeddingModel(deps.defaultModel);
  const local = new LocalEmbedder(deps.local);
  const ttlMs = deps.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  const cache = new Map<string, { readonly embedder: Promise<Embedder>; readonly until: number }>();

  async function connectionEmbedder(orgId: string, connectionName: string, model: string): Promise<Embedder> {
    const connection = await deps.connections.resolve(orgId, connectionName, { viaGateway: false });
    return new ConnectionEmbedder({ connection, model, fetchFor: deps.fetchFor });
  }

  return {
    defaultModel: deps.defaultModel,
    async forModel(orgId, model) {
      const id = parseEmbeddingModel(model);
      if (id.kind === 'local') return local;
      const now = Date.now();
      for (const [key, entry] of cache) if (entry.until <= now) cache.delete(key);
      const key = `${orgId}\u0000${model}`;
      const cached = cache.get(key);
      if (cached) return cached.embedder;
      // Concurrent callers share one lookup; a failed one is not remembered.
      const entry = { embedder: connectionEmbedder(orgId, id.connection, id.model), until: now + ttlMs };
      cache.set(key, entry);
      entry.embedder.catch(() => {
        if (cache.get(key) === entry) cache.delete(key);
      });
      return entry.embedder;
    },
    async close() {
      cache.clear();
      await local.close();
    },
  };
}
