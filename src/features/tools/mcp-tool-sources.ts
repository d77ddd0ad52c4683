import type { JsonSchema } from './agent-tool.js';
import { type McpTransportKind, connectMcp, describeMcpFailure } from './mcp-connection.js';
import { type McpCallSettings, McpTool, type McpToolDescriptor } from './mcp-tool.js';
import { type RemoteSource, remoteSourceKey, sourceOrigin, sourceTtlMs } from './remote-source.js';
import type { ToolNameRegistry } from './tool-name.js';
import { TtlCache } from './ttl-cache.js';

export interface McpToolSourceSettings extends McpCallSettings {
  readonly listTimeoutMs: number;
  readonly defaultCacheSeconds: number;
  readonly failureTtlMs: number;
  readonly maxCacheEntries: number;
}

export type McpListing =
  | { readonly ok: true; readonly transport: McpTransportKind; readonly tools: readonly McpToolDescriptor[] }
  | { readonly ok: false; readonly problem: string };

const MAX_PAGES = 20;
const MAX_TOOLS_PER_SOURCE = 500;

function objectSchema(schema: unknown): JsonSchema {
  const value = typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? (schema as JsonSchema) : {};
  return { ...value, type: 'object' };
}

/**
 * `mcpSources`: lists each server's tools (kept `cacheDuration` seconds per
 * organization and source) and offers them as `<source>__<tool>`. A server
 * that cannot be reached offers nothing this turn and is reported, never thrown.
 */
export class McpToolSources {
  private readonly cache: TtlCache<McpListing>;

  constructor(private readonly settings: McpToolSourceSettings) {
    this.cache = new TtlCache({ maxEntries: settings.maxCacheEntries });
  }

  /** Each source's tool list, from the cache or the server, in the order of `sources`. */
  async listings(orgId: string, sources: readonly RemoteSource[], options: { readonly signal?: AbortSignal }): Promise<McpListing[]> {
    return Promise.all(
      sources.map((source) => {
        const ttlMs = sourceTtlMs(source, this.settings.defaultCacheSeconds);
        return this.cache.get(remoteSourceKey(orgId, source), () => this.list(orgId, source), {
          ttlMs: (listing) => (listing.ok ? ttlMs : Math.min(ttlMs, this.settings.failureTtlMs)),
          signal: options.signal,
        });
      }),
    );
  }

  /** Separate from listing so names are claimed in a fixed order however the lists arrive. */
  toolsFrom(sources: readonly RemoteSource[], listings: readonly McpListing[], names: ToolNameRegistry): { tools: McpTool[]; problems: string[] } {
    const tools: McpTool[] = [];
    const problems: string[] = [];
    sources.forEach((source, index) => {
      const listing = listings[index];
      if (!listing) return;
      if (!listing.ok) {
        problems.push(`mcpSources[${index}] "${source.name}": ${listing.problem}`);
        return;
      }
      for (const tool of listing.tools) {
        const name = names.claim(`${source.name}__${tool.name}`);
        if (!name) {
          problems.push(`mcpSources[${index}] "${source.name}": tool "${tool.name}" is listed twice, skipped`);
          continue;
        }
        const origin = { sourceName: source.name, endpoint: source, transport: listing.transport };
        tools.push(new McpTool(name, tool.description, tool.inputSchema, tool.name, origin, this.settings));
      }
    });
    return { tools, problems };
  }

  private async list(orgId: string, source: RemoteSource): Promise<McpListing> {
    const deadline = AbortSignal.timeout(this.settings.connectTimeoutMs + this.settings.listTimeoutMs);
    try {
      const connection = await connectMcp(source, { fetch: this.settings.fetch, timeoutMs: this.settings.connectTimeoutMs, signal: deadline });
      try {
        if (!connection.client.getServerCapabilities()?.tools) return { ok: true, transport: connection.transport, tools: [] };
        const tools: McpToolDescriptor[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < MAX_PAGES && tools.length < MAX_TOOLS_PER_SOURCE; page += 1) {
          const result = await connection.client.listTools(cursor === undefined ? {} : { cursor }, {
            signal: deadline,
            timeout: this.settings.listTimeoutMs,
          });
          for (const tool of result.tools) {
            tools.push({ name: tool.name, description: tool.description ?? tool.title ?? '', inputSchema: objectSchema(tool.inputSchema) });
          }
          cursor = result.nextCursor;
          if (cursor === undefined) break;
        }
        return { ok: true, transport: connection.transport, tools: tools.slice(0, MAX_TOOLS_PER_SOURCE) };
      } finally {
        void connection.close();
      }
    } catch (error) {
      const problem = `could not list tools: ${describeMcpFailure(error, this.settings.connectTimeoutMs + this.settings.listTimeoutMs)}`;
      this.settings.logger.warn({ err: error, orgId, source: source.name, origin: sourceOrigin(source.url) }, 'MCP source skipped');
      return { ok: false, problem };
    }
  }
}
