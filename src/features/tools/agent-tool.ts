import type { Actor } from '../../platform/actor.js';
import type { Caller } from '../inference/index.js';

/** A JSON Schema object describing a tool's arguments, as the model receives it. */
export type JsonSchema = Record<string, unknown>;

/** Where a tool comes from; reported with each call so clients can tell them apart. */
export type ToolKind = 'http' | 'mcp' | 'builtin' | 'skill' | 'sub-agent' | 'knowledge';

/** Everything a tool may need to know about the turn that calls it. */
export interface ToolContext {
  readonly orgId: string;
  readonly agentId: string;
  /** Null for a stateless `/v1` call of an agent, which keeps no conversation. */
  readonly conversationId: string | null;
  /** The seq of the user message the turn answers: the end of the conversation as this turn sees it (turns queued behind it have stored theirs already). */
  readonly userMessageSeq?: number;
  readonly externalUserId: string | null;
  /** The user's time zone when known (IANA name), for date and time tools. */
  readonly timeZone: string | null;
  /** Fires when the turn is cancelled; a tool must stop its outbound work. */
  readonly signal: AbortSignal;
  /** How deep in sub-agent calls this turn runs (0 for a user's turn). */
  readonly depth: number;
  /** The key the turn runs under, for sub-agent turns and their metering. */
  readonly caller: Caller;
  readonly actor: Actor;
}

/**
 * What a tool call produced. `content` is what the model reads (text, usually
 * JSON); `isError` tells it the call failed, so it can recover instead of the
 * turn failing. `structured` keeps a structured result for clients.
 */
export interface ToolResult {
  readonly content: string;
  readonly isError: boolean;
  readonly structured?: unknown;
  /** Model tokens the tool itself spent (a sub-agent's turn), added to the calling turn's usage. */
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number; readonly cachedTokens: number };
}

export interface AgentTool {
  /** Unique within the turn; the name the model calls. */
  readonly name: string;
  readonly description: string;
  readonly parameters: JsonSchema;
  readonly kind: ToolKind;
  /** Calls that change business data wait for a person's approval before they run. */
  readonly requiresApproval: boolean;
  execute(args: unknown, context: ToolContext): Promise<ToolResult>;
}

export function errorResult(message: string): ToolResult {
  return { content: JSON.stringify({ error: message }), isError: true };
}

/** A JSON-able value as the model should read it. */
export function jsonResult(value: unknown): ToolResult {
  return { content: typeof value === 'string' ? value : JSON.stringify(value), isError: false, structured: value };
}
