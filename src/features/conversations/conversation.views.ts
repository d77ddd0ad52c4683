import type { ConversationRow, MessageRow } from './conversation.repository.js';
import type { ConversationStatus, MessageRole, MessageStatus } from './conversation.table.js';
import type { KnowledgeChunkUsed } from '../tools/toolset.js';
import { type ToolCallRecord, callsOf, decodeSteps } from './tool-steps.js';

/** A conversation as every contract starts from; each contract renames and picks fields. */
export interface ConversationView {
  readonly id: string;
  readonly agentId: string;
  readonly name: string;
  readonly externalUserId: string | null;
  readonly externalUserName: string | null;
  readonly userIdentifiers: Record<string, string>;
  readonly channel: string;
  readonly metadata: Record<string, unknown>;
  readonly extraContext: string | null;
  readonly status: ConversationStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface MessageUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
}

export interface MessageFeedback {
  readonly rating: 'up' | 'down';
  readonly comment: string | null;
  readonly createdAt: string;
}

export interface MessageError {
  readonly code: string;
  readonly message: string;
}

export interface MessageView {
  readonly id: string;
  readonly conversationId: string;
  readonly seq: number;
  readonly turnId: string | null;
  readonly role: MessageRole;
  readonly content: string;
  /** The tools the reply called, with their results and approval states; null when it called none. */
  readonly toolCalls: ToolCallRecord[] | null;
  readonly toolCallId: string | null;
  /** The knowledge passages the reply was given; null when none were. */
  readonly knowledge: KnowledgeChunkUsed[] | null;
  readonly fileIds: string[];
  readonly model: string | null;
  readonly usage: MessageUsage | null;
  readonly latencyMs: number | null;
  readonly status: MessageStatus;
  readonly error: MessageError | null;
  readonly feedback: MessageFeedback | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

function parsed<T>(json: string | null): T | null {
  return json === null ? null : (JSON.parse(json) as T);
}

export function toConversationView(row: ConversationRow): ConversationView {
  return {
    id: row.id,
    agentId: row.agent_id,
    name: row.name,
    externalUserId: row.external_user_id,
    externalUserName: row.external_user_name,
    userIdentifiers: JSON.parse(row.user_identifiers) as Record<string, string>,
    channel: row.channel,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    extraContext: row.extra_context,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toMessageView(row: MessageRow): MessageView {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: row.seq,
    turnId: row.turn_id,
    role: row.role,
    content: row.content,
    toolCalls: row.tool_calls ? callsOf(decodeSteps(row.tool_calls)) : null,
    toolCallId: row.tool_call_id,
    knowledge: parsed<KnowledgeChunkUsed[]>(row.knowledge),
    fileIds: parsed<string[]>(row.file_ids) ?? [],
    model: row.model,
    usage: parsed<MessageUsage>(row.usage),
    latencyMs: row.latency_ms,
    status: row.status,
    error: parsed<MessageError>(row.error),
    feedback: parsed<MessageFeedback>(row.feedback),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
