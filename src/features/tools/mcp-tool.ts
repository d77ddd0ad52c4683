import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../platform/logging/logger.js';
import { type AgentTool, type JsonSchema, type ToolContext, type ToolResult, errorResult } from './agent-tool.js';
import { argumentsObject } from './argument-validator.js';
import { type McpConnection, type McpEndpoint, type McpTransportKind, connectMcp, describeMcpFailure } from './mcp-connection.js';

export interface McpCallSettings {
  readonly fetch: typeof fetch;
  readonly logger: Logger;
  readonly connectTimeoutMs: number;
  readonly callTimeoutMs: number;
}

/** What one tool of a server looks like once listed; cached, so plain data. */
export interface McpToolDescriptor {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: JsonSchema;
}

export interface McpToolOrigin {
  readonly sourceName: string;
  readonly endpoint: McpEndpoint;
  readonly transport: McpTransportKind;
}

type ContentBlock = CallToolResult['content'][number];

/** The model reads text; other blocks are named so it knows they were there. */
function blockText(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'image':
    case 'audio':
      return `[${block.type}: ${block.mimeType}]`;
    case 'resource':
      return 'text' in block.resource ? block.resource.text : `[resource: ${block.resource.uri}]`;
    case 'resource_link':
      return `[resource: ${block.name} ${block.uri}]`;
    default:
      return '';
  }
}

export function mcpToolResult(result: CallToolResult): ToolResult {
  const text = result.content
    .map(blockText)
    .filter((part) => part !== '')
    .join('\n');
  if (result.isError) return errorResult(text || 'The tool reported an error.');
  const structured = result.structuredContent;
  const content = text !== '' ? text : structured !== undefined ? JSON.stringify(structured) : 'The tool returned no content.';
  return structured === undefined ? { content, isError: false } : { content, isError: false, structured };
}

/**
 * One tool of an MCP server. Each call opens its own connection (with the
 * transport the listing found working) and closes it: no session outlives the
 * call, so a restarted server or an expired session never breaks later turns.
 */
export class McpTool implements AgentTool {
  readonly kind = 'mcp' as const;
  readonly requiresApproval = false;

  constructor(
    readonly name: string,
    readonly description: string,
    readonly parameters: JsonSchema,
    private readonly remoteName: string,
    private readonly origin: McpToolOrigin,
    private readonly settings: McpCallSettings,
  ) {}

  async execute(args: unknown, context: ToolContext): Promise<ToolResult> {
    const value = argumentsObject(args);
    if (typeof value === 'string') return errorResult(`Invalid arguments for ${this.name}: ${value}. Fix them and call again.`);
    const deadline = AbortSignal.timeout(this.settings.callTimeoutMs);
    const signal = AbortSignal.any([context.signal, deadline]);
    let connection: McpConnection | undefined;
    try {
      connection = await connectMcp(this.origin.endpoint, {
        fetch: this.settings.fetch,
        timeoutMs: this.settings.connectTimeoutMs,
        signal,
        transport: this.origin.transport,
      });
      const result = await connection.client.callTool({ name: this.remoteName, arguments: value }, undefined, {
        signal,
        timeout: this.settings.callTimeoutMs,
      });
      return mcpToolResult(result as CallToolResult);
    } catch (error) {
      const timeoutMs = connection ? this.settings.callTimeoutMs : this.settings.connectTimeoutMs;
      const why = context.signal.aborted ? 'cancelled' : describeMcpFailure(error, timeoutMs);
      this.settings.logger.warn(
        { err: error, orgId: context.orgId, agentId: context.agentId, tool: this.name, source: this.origin.sourceName },
        'MCP tool call failed',
      );
      return errorResult(`${this.name} failed: ${why}.`);
    } finally {
      if (connection) void connection.close();
    }
  }
}
