import type { Actor } from '../../platform/actor.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { nowIso } from '../../platform/db/dialect.js';
import { ForbiddenError, NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { type CursorPage, type NumberedPage, type NumberedPageRequest, decodeCursor, numberedPageOffset, toCursorPage, toNumberedPage } from '../../platform/paging.js';
import { type AuditService, changedProperties } from '../audit/index.js';
import {
  type AgentUserOrder,
  type ConversationRow,
  type MessageRow,
  countMessages,
  deleteConversation,
  findConversation,
  findMessage,
  insertConversation,
  insertMessages,
  listAgentUsers,
  listConversations,
  listMessages,
  updateMessage,
} from './conversation.repository.js';
import { type ConversationView, type MessageFeedback, type MessageView, toConversationView, toMessageView } from './conversation.views.js';
import { estimateTextTokens } from './history-window.js';

/** What conversations need to know of an agent. */
export interface ConversationAgent {
  readonly id: string;
  readonly name: string;
  readonly initialMessage: string | null;
  readonly enableFeedback: boolean;
  /** False when the agent's model takes no image input (flag DisableMultiModalInput, or Image not among its multimodal features). */
  readonly acceptsImages: boolean;
  /** Agents this one may delegate to (profile `subAgents`). */
  readonly subAgents: readonly string[];
  /** How many past tool results stay in the context (null: all that fit). */
  readonly toolContextCount: number | null;
  /** `toolInvocationExplanations`: the model says why it calls each tool. */
  readonly explainToolCalls: boolean;
  readonly description: string | null;
  /** The agent's context budget in estimated tokens, when it sets one. */
  readonly contextMaximumSize: number | null;
}

/** Resolves an agent of the organization, or throws NotFoundError. */
export type AgentLookup = (orgId: string, agentId: string) => Promise<ConversationAgent>;

export interface NewConversation {
  readonly name?: string;
  readonly externalUserId?: string | null;
  readonly externalUserName?: string | null;
  readonly userIdentifiers?: Record<string, string>;
  readonly channel?: string;
  readonly metadata?: Record<string, unknown>;
  readonly extraContext?: string | null;
}

export interface AgentUser {
  readonly externalUserId: string;
  readonly name: string | null;
  readonly conversations: number;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
}

export interface ConversationServiceDependencies {
  readonly db: DatabaseHandle;
  readonly audit: AuditService;
  readonly agents: AgentLookup;
  /** Stops the turns of a conversation about to be deleted. */
  readonly cancelTurns: (actor: Actor, conversationId: string) => Promise<void>;
}

const ENTITY_TYPE = 'Conversation';
const DEFAULT_CHANNEL = 'api';

function conversationName(input: NewConversation, createdAt: string): string {
  return input.name?.trim() || `Conversation of ${createdAt.slice(0, 10)}`;
}

export class ConversationService {
  constructor(private readonly deps: ConversationServiceDependencies) {}

  /** Opens a conversation; when the agent has an initial message, it is the conversation's first message. */
  async create(actor: Actor, agentId: string, input: NewConversation): Promise<ConversationView> {
    const agent = await this.deps.agents(actor.orgId, agentId);
    const now = nowIso();
    const initialMessage = agent.initialMessage?.trim() ? agent.initialMessage : null;
    const row: ConversationRow = {
      id: newId(),
      org_id: actor.orgId,
      agent_id: agent.id,
      name: conversationName(input, now),
      external_user_id: input.externalUserId ?? null,
      external_user_name: input.externalUserName ?? null,
      user_identifiers: JSON.stringify(input.userIdentifiers ?? {}),
      channel: input.channel ?? DEFAULT_CHANNEL,
      metadata: JSON.stringify(input.metadata ?? {}),
      extra_context: input.extraContext ?? null,
      status: 'open',
      last_seq: initialMessage ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    await this.deps.db.transaction().execute(async (transaction) => {
      await insertConversation(transaction, row);
      if (initialMessage) await insertMessages(transaction, [initialMessageRow(row, initialMessage, now)]);
      await this.deps.audit.record(transaction, actor, {
        entityType: ENTITY_TYPE,
        entityId: row.id,
        changeType: 'Created',
        changes: changedProperties(null, { agentId: row.agent_id, name: row.name, channel: row.channel, externalUserId: row.external_user_id }),
      });
    });
    return toConversationView(row);
  }

  /** A conversation of the organization; with `agentId`, it must also belong to that agent (else 404). */
  async get(orgId: string, id: string, agentId?: string): Promise<ConversationView> {
    return toConversationView(await this.row(orgId, id, agentId));
  }

  async list(orgId: string, agentId: string, page: { limit: number; next?: string; externalUserId?: string }): Promise<CursorPage<ConversationView>> {
    await this.deps.agents(orgId, agentId);
    const afterId = page.next === undefined ? undefined : decodeCursor(page.next).id;
    const rows = await listConversations(this.deps.db, orgId, {
      agentId,
      limit: page.limit + 1,
      ...(afterId === undefined ? {} : { afterId }),
      ...(page.externalUserId === undefined ? {} : { externalUserId: page.externalUserId }),
    });
    const result = toCursorPage(rows, page.limit, (row) => ({ sortKey: row.created_at, id: row.id }));
    return { data: result.data.map(toConversationView), next: result.next };
  }

  /** Deletes a conversation with its messages, stopping a turn still running; returns what was deleted. */
  async delete(actor: Actor, id: string, agentId?: string): Promise<ConversationView> {
    const row = await this.row(actor.orgId, id, agentId);
    await this.deps.cancelTurns(actor, id);
    await this.deps.db.transaction().execute(async (transaction) => {
      await deleteConversation(transaction, actor.orgId, id);
      await this.deps.audit.record(transaction, actor, {
        entityType: ENTITY_TYPE,
        entityId: id,
        changeType: 'Deleted',
        changes: changedProperties({ agentId: row.agent_id, name: row.name, channel: row.channel, externalUserId: row.external_user_id }, null),
      });
    });
    return toConversationView(row);
  }

  /** Messages oldest first, `limit` at a time; `next` continues after the last one returned. */
  async messages(orgId: string, conversationId: string, page: { limit: number; next?: string; agentId?: string }): Promise<CursorPage<MessageView>> {
    await this.row(orgId, conversationId, page.agentId);
    const afterSeq = page.next === undefined ? 0 : Number(decodeCursor(page.next).sortKey);
    const rows = await listMessages(this.deps.db, orgId, conversationId, { afterSeq: Number.isFinite(afterSeq) ? afterSeq : 0, limit: page.limit + 1 });
    const result = toCursorPage(rows, page.limit, (row) => ({ sortKey: String(row.seq), id: row.id }));
    return { data: result.data.map(toMessageView), next: result.next };
  }

  /** Messages by page number, for the contract that counts pages. */
  async numberedMessages(orgId: string, conversationId: string, page: NumberedPageRequest, agentId?: string): Promise<NumberedPage<MessageView>> {
    await this.row(orgId, conversationId, agentId);
    const offset = numberedPageOffset(page);
    const [rows, total] = await Promise.all([
      listMessages(this.deps.db, orgId, conversationId, { afterSeq: 0, limit: page.pageSize, offset }),
      countMessages(this.deps.db, orgId, conversationId),
    ]);
    return toNumberedPage(rows.map(toMessageView), page, total);
  }

  /**
   * The conversation's last `limit` messages of the given roles up to `throughSeq` (a turn's own user message),
   * oldest first: what retrieval builds its query from. Turns queued behind a turn have stored their user
   * messages already; those are not its context.
   */
  async recentLines(
    orgId: string,
    conversationId: string,
    limit: number,
    roles: readonly ('user' | 'assistant')[],
    throughSeq: number | null,
  ): Promise<{ role: 'user' | 'assistant'; content: string }[]> {
    let query = this.deps.db
      .selectFrom('messages')
      .select(['role', 'content'])
      .where('org_id', '=', orgId)
      .where('conversation_id', '=', conversationId)
      .where('role', 'in', [...roles])
      .where('content', '!=', '');
    if (throughSeq !== null) query = query.where('seq', '<=', throughSeq);
    const rows = await query.orderBy('seq', 'desc').limit(limit).execute();
    return rows.reverse().map((row) => ({ role: row.role === 'assistant' ? 'assistant' : 'user', content: row.content }));
  }

  async message(orgId: string, conversationId: string, messageId: string, agentId?: string): Promise<MessageView> {
    await this.row(orgId, conversationId, agentId);
    const row = await findMessage(this.deps.db, orgId, conversationId, messageId);
    if (!row) throw new NotFoundError('Message', messageId);
    return toMessageView(row);
  }

  /** Records a user's rating of an assistant message; the agent must have feedback enabled. */
  async giveFeedback(
    actor: Actor,
    conversationId: string,
    messageId: string,
    input: { rating: 'up' | 'down'; comment?: string | null },
    agentId?: string,
  ): Promise<MessageView> {
    const conversation = await this.row(actor.orgId, conversationId, agentId);
    const agent = await this.deps.agents(actor.orgId, conversation.agent_id);
    if (!agent.enableFeedback) {
      throw new ForbiddenError(`Agent '${agent.name}' does not accept feedback (enableFeedback is off).`, 'feedback_disabled');
    }
    const message = await findMessage(this.deps.db, actor.orgId, conversationId, messageId);
    if (!message) throw new NotFoundError('Message', messageId);
    if (message.role !== 'assistant') throw new ForbiddenError('Feedback is given on assistant messages only.', 'feedback_not_assistant');
    const feedback: MessageFeedback = { rating: input.rating, comment: input.comment ?? null, createdAt: nowIso() };
    const updated: MessageRow = { ...message, feedback: JSON.stringify(feedback), updated_at: feedback.createdAt };
    await this.deps.db.transaction().execute(async (transaction) => {
      await updateMessage(transaction, actor.orgId, messageId, { feedback: updated.feedback, updated_at: updated.updated_at });
      await this.deps.audit.record(transaction, actor, {
        entityType: 'MessageFeedback',
        entityId: messageId,
        changeType: message.feedback ? 'Updated' : 'Created',
        changes: changedProperties(message.feedback ? (JSON.parse(message.feedback) as Record<string, unknown>) : null, { rating: feedback.rating, comment: feedback.comment }),
      });
    });
    return toMessageView(updated);
  }

  /** The external users who talked to an agent. */
  async agentUsers(
    orgId: string,
    agentId: string,
    page: NumberedPageRequest & { orderBy: AgentUserOrder; orderDirection: 'asc' | 'desc' },
  ): Promise<NumberedPage<AgentUser>> {
    await this.deps.agents(orgId, agentId);
    const { rows, total } = await listAgentUsers(this.deps.db, orgId, agentId, {
      offset: numberedPageOffset(page),
      limit: page.pageSize,
      orderBy: page.orderBy,
      direction: page.orderDirection,
    });
    const users = rows.map((row) => ({
      externalUserId: row.external_user_id,
      name: row.external_user_name,
      conversations: row.conversations,
      firstSeenAt: row.first_seen,
      lastSeenAt: row.last_seen,
    }));
    return toNumberedPage(users, page, total);
  }

  private async row(orgId: string, id: string, agentId?: string): Promise<ConversationRow> {
    const row = await findConversation(this.deps.db, orgId, id);
    if (!row || (agentId !== undefined && row.agent_id !== agentId)) throw new NotFoundError('Conversation', id);
    return row;
  }
}

function initialMessageRow(conversation: ConversationRow, content: string, now: string): MessageRow {
  return {
    id: newId(),
    org_id: conversation.org_id,
    conversation_id: conversation.id,
    seq: 1,
    turn_id: null,
    role: 'assistant',
    content,
    parts: null,
    tool_calls: null,
    tool_call_id: null,
    file_ids: null,
    model: null,
    usage: null,
    latency_ms: null,
    status: 'completed',
    error: null,
    feedback: null,
      knowledge: null,
    token_estimate: estimateTextTokens(content),
    created_at: now,
    updated_at: now,
  };
}
