import type { Logger } from '../../platform/logging/logger.js';
import type { OutboundClient } from '../../platform/outbound/index.js';
import { type AgentTool, type JsonSchema, type ToolContext, type ToolResult, errorResult, jsonResult } from './agent-tool.js';
import type { ArgumentCheck } from './argument-validator.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signatureHeaders } from './callback-signature.js';
import type { ProtocolFunction } from './protocol-function.js';
import { RemoteRequestError, excerpt, requestRemoteText } from './remote-text.js';

export interface HttpCallbackSettings {
  readonly outbound: OutboundClient;
  /** The organization's current salt (rolled by POST /api/v1/accounts/roll-salt). */
  readonly orgSalt: (orgId: string) => Promise<string>;
  readonly logger: Logger;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

/** What a callback receives; documented on `protocolFunctions` in the gateway parameters. */
export interface CallbackEnvelope {
  readonly toolName: string;
  readonly arguments: Record<string, unknown>;
  /** Null when the agent runs statelessly through `/v1/chat/completions`. */
  readonly conversationId: string | null;
  readonly agentId: string;
  readonly externalUserId: string | null;
}

// Set by Agentry: a tenant header must not forge the signature or break the framing.
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', TIMESTAMP_HEADER, SIGNATURE_HEADER]);

function tenantHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!RESERVED_HEADERS.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
}

function originOf(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : 'unparsable URL';
}

/** A 2xx body as the model reads it: JSON as sent (kept structured too), anything else as text. */
function successResult(status: number, text: string): ToolResult {
  if (text.trim() === '') return jsonResult({ ok: true, status });
  try {
    return { content: text, isError: false, structured: JSON.parse(text) as unknown };
  } catch {
    return { content: text, isError: false };
  }
}

/**
 * A `protocolFunctions` entry as a tool: the model's arguments are checked
 * against `contentFormat`, then POSTed, signed with the organization's salt.
 * Every failure becomes an error result the model can act on.
 */
export class HttpCallbackTool implements AgentTool {
  readonly kind = 'http' as const;
  readonly description: string;
  readonly requiresApproval: boolean;

  constructor(
    readonly name: string,
    readonly parameters: JsonSchema,
    private readonly definition: ProtocolFunction,
    private readonly check: ArgumentCheck,
    private readonly settings: HttpCallbackSettings,
  ) {
    this.description = definition.description;
    this.requiresApproval = definition.requiresApproval ?? false;
  }

  async execute(args: unknown, context: ToolContext): Promise<ToolResult> {
    const checked = this.check(args);
    if (!checked.ok) return errorResult(`Invalid arguments for ${this.name}: ${checked.message}. Fix them and call again.`);
    const envelope: CallbackEnvelope = {
      toolName: this.definition.name,
      arguments: checked.value,
      conversationId: context.conversationId,
      agentId: context.agentId,
      externalUserId: context.externalUserId,
    };
    const body = JSON.stringify(envelope);
    let salt: string;
    try {
      salt = await this.settings.orgSalt(context.orgId);
    } catch (error) {
      this.settings.logger.error({ err: error, orgId: context.orgId, tool: this.name }, 'could not read the salt to sign a tool callback');
      return errorResult(`${this.name} is unavailable right now: its call could not be signed.`);
    }
    try {
      const response = await requestRemoteText(this.settings.outbound, this.definition.callbackUrl, {
        method: 'POST',
        headers: {
          ...tenantHeaders(this.definition.headers),
          'content-type': 'application/json',
          ...signatureHeaders(salt, body, new Date()),
        },
        body,
        timeoutMs: this.settings.timeoutMs,
        maxBytes: this.settings.maxResponseBytes,
        signal: context.signal,
      });
      if (response.status >= 200 && response.status < 300) return successResult(response.status, response.text);
      this.logFailure(context, `HTTP ${response.status}`);
      const detail = response.text.trim() === '' ? '.' : `: ${excerpt(response.text)}`;
      return errorResult(`${this.name} failed: the callback answered HTTP ${response.status}${detail}`);
    } catch (error) {
      if (error instanceof RemoteRequestError) {
        this.logFailure(context, error.reason);
        return errorResult(`${this.name} failed: ${error.message}`);
      }
      this.settings.logger.error({ err: error, orgId: context.orgId, tool: this.name }, 'tool callback failed unexpectedly');
      return errorResult(`${this.name} failed unexpectedly.`);
    }
  }

  private logFailure(context: ToolContext, reason: string): void {
    this.settings.logger.warn(
      { orgId: context.orgId, agentId: context.agentId, tool: this.name, origin: originOf(this.definition.callbackUrl), reason },
      'tool callback failed',
    );
  }
}
