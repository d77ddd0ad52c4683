import type { ConnectionService, ConnectionView } from '../connections/index.js';
import { type OutboundRequest, listProviderModels } from './openai-compatible-provider.js';

export interface CatalogModel {
  readonly id: string;
  readonly object: 'model';
  readonly created: number;
  readonly owned_by: string;
}

export interface ModelCatalogOptions {
  readonly connections: ConnectionService;
  readonly outbound: OutboundRequest;
  readonly onProviderError?: (connection: string, error: unknown) => void;
  readonly ttlMs?: number;
  readonly failureTtlMs?: number;
}

const OPENAI_WIRE_TYPES = new Set(['OpenAiCompatible', 'Ollama']);

/**
 * The models callers can name as `@<connection>/<model>`: a connection's
 * declared models, or — when it declares none — what its provider lists at
 * `/models`, remembered for a few minutes (a failure for one), so listing
 * models never waits on every provider.
 */
export class ModelCatalog {
  private readonly cache = new Map<string, { models: readonly string[]; until: number }>();

  constructor(private readonly options: ModelCatalogOptions) {}

  async list(orgId: string): Promise<CatalogModel[]> {
    const connections = await this.options.connections.addressable(orgId);
    const perConnection = await Promise.all(connections.map((connection) => this.modelsOf(orgId, connection)));
    return connections.flatMap((connection, index) =>
      (perConnection[index] ?? []).map((model) => ({
        id: `@${connection.name}/${model}`,
        object: 'model' as const,
        created: Math.floor(Date.parse(connection.createdAt) / 1000),
        owned_by: connection.name,
      })),
    );
  }

  private async modelsOf(orgId: string, connection: ConnectionView): Promise<readonly string[]> {
    if (connection.models.length > 0 || !OPENAI_WIRE_TYPES.has(connection.type)) return connection.models;
    // System connections are the same for every organization; tenant ones are the organization's own.
    const cacheKey = connection.scope === 'System' ? connection.id : `${orgId}:${connection.id}`;
    const now = Date.now();
    const cached = this.cache.get(cacheKey);
    if (cached && cached.until > now) return cached.models;
    try {
      const resolved = await this.options.connections.resolve(orgId, connection.name, { viaGateway: false });
      const models = await listProviderModels(this.options.outbound, resolved, AbortSignal.timeout(5_000));
      this.cache.set(cacheKey, { models, until: now + (this.options.ttlMs ?? 300_000) });
      return models;
    } catch (error) {
      this.options.onProviderError?.(connection.name, error);
      this.cache.set(cacheKey, { models: [], until: now + (this.options.failureTtlMs ?? 60_000) });
      return [];
    }
  }
}
