import type { Logger } from '../../platform/logging/logger.js';
import type { OutboundClient } from '../../platform/outbound/index.js';
import type { AiGatewayParameters } from '../ai-gateways/index.js';
import type { FetchFor } from '../inference/index.js';
import type { AgentTool } from './agent-tool.js';
import { ArgumentValidator } from './argument-validator.js';
import { HttpCallbackTool } from './http-callback-tool.js';
import { InstructionSources } from './instruction-sources.js';
import { McpToolSources } from './mcp-tool-sources.js';
import type { ProtocolFunction } from './protocol-function.js';
import { ProtocolFunctionSources } from './protocol-function-sources.js';
import { responseLimitedFetch } from './response-limited-fetch.js';
import { ToolNameRegistry } from './tool-name.js';

export interface ToolSourceLimits {
  /** An HTTP callback's whole exchange, headers to last byte. */
  readonly callbackTimeoutMs: number;
  readonly callbackMaxResponseBytes: number;
  /** Fetching a protocol function source or an instruction source. */
  readonly sourceTimeoutMs: number;
  readonly functionSourceMaxBytes: number;
  readonly functionSourceTtlMs: number;
  readonly instructionMaxBytes: number;
  readonly mcpConnectTimeoutMs: number;
  readonly mcpListTimeoutMs: number;
  readonly mcpCallTimeoutMs: number;
  readonly mcpMaxResponseBytes: number;
  /** For sources without `cacheDuration`. */
  readonly defaultCacheSeconds: number;
  /** How long a failed source is left alone before it is asked again. */
  readonly failureTtlMs: number;
  readonly maxCacheEntries: number;
}

export const DEFAULT_TOOL_SOURCE_LIMITS: ToolSourceLimits = Object.freeze({
  callbackTimeoutMs: 30_000,
  callbackMaxResponseBytes: 512 * 1024,
  sourceTimeoutMs: 10_000,
  functionSourceMaxBytes: 512 * 1024,
  functionSourceTtlMs: 5 * 60_000,
  instructionMaxBytes: 256 * 1024,
  mcpConnectTimeoutMs: 10_000,
  mcpListTimeoutMs: 15_000,
  mcpCallTimeoutMs: 60_000,
  mcpMaxResponseBytes: 4 * 1024 * 1024,
  defaultCacheSeconds: 300,
  failureTtlMs: 30_000,
  maxCacheEntries: 2_000,
});

export interface ExternalToolSourcesDependencies {
  /** The tenant outbound client: the address policy applies to every callback and source. */
  readonly outbound: OutboundClient;
  /** Guarded fetches (createFetchFor over the same client's dispatcher), for the MCP transports. */
  readonly fetchFor: FetchFor;
  /** The organization's current salt, which signs HTTP callbacks. */
  readonly orgSalt: (orgId: string) => Promise<string>;
  readonly logger: Logger;
  readonly limits?: Partial<ToolSourceLimits>;
}

export type ToolSourceParameters = Pick<AiGatewayParameters, 'protocolFunctions' | 'protocolFunctionSources' | 'mcpSources'>;
export type InstructionSourceParameters = Pick<AiGatewayParameters, 'systemInstructionsSources'>;

export interface ToolSourceOptions {
  readonly signal: AbortSignal;
  /** Names already used in the turn (built-ins, sub-agents); external tools never take them. */
  readonly reservedNames?: Iterable<string>;
}

export interface ExternalTools {
  readonly tools: AgentTool[];
  /** Sources skipped and tools left out, each naming the parameter; for logs and the agent's owner, not the model. */
  readonly problems: string[];
}

/**
 * The tools and instructions an agent gets from outside Agentry: HTTP callbacks
 * (`protocolFunctions` and `protocolFunctionSources`), MCP servers
 * (`mcpSources`) and instruction URLs (`systemInstructionsSources`). Loading
 * never fails because a source does; only cancellation rejects.
 */
export class ExternalToolSources {
  private readonly limits: ToolSourceLimits;
  private readonly validator = new ArgumentValidator();
  private readonly functionSources: ProtocolFunctionSources;
  private readonly mcp: McpToolSources;
  private readonly instructions: InstructionSources;

  constructor(private readonly dependencies: ExternalToolSourcesDependencies) {
    const limits = { ...DEFAULT_TOOL_SOURCE_LIMITS, ...dependencies.limits };
    this.limits = limits;
    const { outbound, logger } = dependencies;
    this.functionSources = new ProtocolFunctionSources({
      outbound,
      logger,
      timeoutMs: limits.sourceTimeoutMs,
      maxResponseBytes: limits.functionSourceMaxBytes,
      ttlMs: limits.functionSourceTtlMs,
      failureTtlMs: limits.failureTtlMs,
      maxCacheEntries: limits.maxCacheEntries,
    });
    // The guarded fetch's idle timeouts must outlast the slowest call, or they would cut a tool that is still working.
    const idleTimeoutMs = Math.max(limits.mcpCallTimeoutMs, limits.mcpListTimeoutMs, limits.mcpConnectTimeoutMs) + 5_000;
    this.mcp = new McpToolSources({
      fetch: responseLimitedFetch(dependencies.fetchFor({ trusted: false, timeoutMs: idleTimeoutMs }), limits.mcpMaxResponseBytes),
      logger,
      connectTimeoutMs: limits.mcpConnectTimeoutMs,
      listTimeoutMs: limits.mcpListTimeoutMs,
      callTimeoutMs: limits.mcpCallTimeoutMs,
      defaultCacheSeconds: limits.defaultCacheSeconds,
      failureTtlMs: limits.failureTtlMs,
      maxCacheEntries: limits.maxCacheEntries,
    });
    this.instructions = new InstructionSources({
      outbound,
      logger,
      timeoutMs: limits.sourceTimeoutMs,
      maxBytes: limits.instructionMaxBytes,
      defaultCacheSeconds: limits.defaultCacheSeconds,
      failureTtlMs: limits.failureTtlMs,
      maxCacheEntries: limits.maxCacheEntries,
    });
  }

  async toolsFor(orgId: string, parameters: ToolSourceParameters, options: ToolSourceOptions): Promise<ExternalTools> {
    const mcpSources = parameters.mcpSources ?? [];
    const [fromSources, listings] = await Promise.all([
      this.functionSources.load(orgId, parameters.protocolFunctionSources ?? [], options),
      this.mcp.listings(orgId, mcpSources, options),
    ]);
    // Inline functions first: they keep their names when a source or a server offers the same one.
    const names = new ToolNameRegistry(options.reservedNames);
    const problems = [...fromSources.problems];
    const tools: AgentTool[] = [];
    const inline = parameters.protocolFunctions ?? [];
    if (inline.length + fromSources.functions.length > 0) await this.validator.ready();
    [...inline, ...fromSources.functions].forEach((definition, index) => {
      const label = index < inline.length ? `protocolFunctions[${index}]` : 'protocolFunctionSources';
      const tool = this.callbackTool(definition, label, names, problems);
      if (tool) tools.push(tool);
    });
    const fromMcp = this.mcp.toolsFrom(mcpSources, listings, names);
    tools.push(...fromMcp.tools);
    problems.push(...fromMcp.problems);
    if (problems.length > 0) this.dependencies.logger.debug({ orgId, problems }, 'some external tools are unavailable');
    return { tools, problems };
  }

  async instructionsFor(orgId: string, parameters: InstructionSourceParameters, options: { readonly signal: AbortSignal }): Promise<string[]> {
    return this.instructions.load(orgId, parameters.systemInstructionsSources ?? [], options);
  }

  private callbackTool(definition: ProtocolFunction, label: string, names: ToolNameRegistry, problems: string[]): AgentTool | undefined {
    const compiled = this.validator.compile(definition.contentFormat);
    if (!compiled.ok) {
      problems.push(`${label} "${definition.name}": ${compiled.message}, skipped`);
      return undefined;
    }
    const name = names.claimExact(definition.name);
    if (!name) {
      problems.push(`${label} "${definition.name}": another tool already has this name, skipped`);
      return undefined;
    }
    return new HttpCallbackTool(name, compiled.parameters, definition, compiled.check, {
      outbound: this.dependencies.outbound,
      orgSalt: this.dependencies.orgSalt,
      logger: this.dependencies.logger,
      timeoutMs: this.limits.callbackTimeoutMs,
      maxResponseBytes: this.limits.callbackMaxResponseBytes,
    });
  }
}
