import { setTimeout as sleep } from 'node:timers/promises';
import type { Actor } from '../../platform/actor.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { nowIso } from '../../platform/db/dialect.js';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { Broadcast } from '../../platform/events/index.js';
import type { Logger } from '../../platform/logging/logger.js';
import type { ChatContentPart, ChatMessage } from '../ai-gateways/index.js';
import type { Caller, ChatCompletionRequest, ChatCompletionResult } from '../inference/index.js';
import { EMPTY_TOOLSET, type ToolContext, type Toolset } from '../tools/index.js';
import {
  type MessageRow,
  type TurnRow,
  findConversation,
  findConversationForTurn,
  findMessage,
  findTurn,
  claimTurnForResume,
  findTurnsAwaitingApproval,
  findUnfinishedTurns,
  insertMessages,
  insertTurn,
  isCancelRequested,
  markRunning,
  replaceToolSteps,
  reserveSequence,
  updateMessage,
  updateTurn,
} from './conversation.repository.js';
import type { AgentLookup, ConversationAgent } from './conversation.service.js';
import { type ConversationView, type MessageError, type MessageUsage, type MessageView, toConversationView, toMessageView } from './conversation.views.js';
import { estimateMessageRowTokens, loadHistoryWindow } from './history-window.js';
import { runAgentLoop } from './agent-loop.js';
import { subAgentTools, withExtraTools } from './sub-agent-tool.js';
import { type ToolCallRecord, type ToolStep, callsOf, decodeSteps, encodeSteps } from './tool-steps.js';
import { type TurnEndStatus, type TurnEvent, eventId } from './turn-events.js';

/** A file put into a turn, as the files feature hands it over. */
export type TurnFile =
  | { readonly id: string; readonly fileName: string; readonly mimeType: string; readonly kind: 'text'; readonly text: string }
  | { readonly id: string; readonly fileName: string; readonly mimeType: string; readonly kind: 'image'; readonly dataUrl: string };

export interface TurnRunnerDependencies {
  readonly db: DatabaseHandle;
  readonly agents: AgentLookup;
  /** The gateway layer: plans, limits, calls and meters one chat completion. */
  readonly complete: (caller: Caller, request: ChatCompletionRequest, options: { signal: AbortSignal; pingIntervalMs: number }) => Promise<ChatCompletionResult>;
  /** The files of a turn; throws a ValidationError naming `fileIds` for ids that are not the organization's. */
  readonly fileContext: (orgId: string, fileIds: readonly string[]) => Promise<TurnFile[]>;
  readonly logger: Logger;
  /** Carries cancels to the node running the turn at once; without it the node finds the flag at its next flush. */
  readonly broadcast?: Broadcast;
  /** The tools and tool instructions of an agent for one turn; none when unset. */
  readonly toolsets?: ToolsetProvider;
  /** Opens the conversation a sub-agent call runs in, linked to its parent; returns its id. */
  readonly openChildConversation: (
    actor: Actor,
    agentId: string,
    link: { parentConversationId: string | null; parentAgentId: string; externalUserId: string | null },
  ) => Promise<string>;
  /** Most model calls with tool results in one turn. */
  readonly maxToolSteps?: number;
  /** How many agents deep a chain of sub-agent calls may go. */
  readonly maxSubAgentDepth?: number;
  /** How often a running turn saves its partial reply and looks for a cancel from another node. */
  readonly flushIntervalMs?: number;
  /** The history a turn sends when the agent sets no context budget (estimated tokens). */
  readonly defaultContextTokens?: number;
}

export interface TurnRequest {
  readonly actor: Actor;
  readonly caller: Caller;
  readonly conversationId: string;
  /** When the contract names the agent, the conversation must be that agent's (else 404). */
  readonly agentId?: string;
  readonly content: string;
  readonly fileIds?: readonly string[];
  /** How deep in sub-agent calls this turn runs; 0 (the default) for a user's turn. */
  readonly depth?: number;
}

export interface TurnOutcome {
  readonly status: TurnEndStatus;
  readonly message: MessageView;
  /** Why a failed turn failed, as the error a synchronous caller receives. */
  readonly error: AppError | null;
  readonly turn: TurnState;
}

export interface TurnHandle {
  readonly turnId: string;
  readonly conversationId: string;
  /** The conversation as it stood once the turn was accepted. */
  readonly conversation: ConversationView;
  readonly userMessage: MessageView;
  readonly assistantMessageId: string;
  /** Settles when the turn ends, whatever the client that started it does meanwhile. */
  readonly outcome: Promise<TurnOutcome>;
}

export interface TurnState {
  readonly id: string;
  readonly conversationId: string;
  readonly status: TurnRow['status'];
  readonly userMessageId: string;
  readonly assistantMessageId: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/** A turn running on this node: its reply so far, who listens, how to stop it. */
interface LiveTurn {
  readonly id: string;
  readonly orgId: string;
  readonly conversationId: string;
  readonly userMessageId: string;
  readonly assistantMessageId: string;
  readonly abort: AbortController;
  readonly listeners: Set<(event: TurnEvent) => void>;
  content: string;
  /** The tool steps so far, saved with the partial reply. */
  steps: readonly ToolStep[];
  /** The reply row as it stood when this run began; the final view is built from it without reading it back. */
  readonly reply: MessageRow;
  finished: TurnEvent | null;
  outcome: Promise<TurnOutcome>;
}

/** A tool call waiting for a person's decision. */
export interface PendingApproval {
  readonly toolCallId: string;
  readonly turnId: string;
  readonly messageId: string;
  readonly name: string;
  readonly arguments: string;
  readonly kind: ToolCallRecord['kind'];
  readonly requestedAt: string;
}

/** What a turn's run needs beyond its live state; rebuilt from the database when a paused turn resumes. */
interface TurnPlan {
  readonly agentId: string;
  readonly extraContext: string | null;
  readonly userSeq: number;
  readonly createdAt: string;
  readonly currentUser: ChatMessage;
  /** What the user message becomes for a model that takes no images: the notes stored for history. */
  readonly textOnlyUser: ChatMessage;
  readonly externalUserId: string | null;
  readonly timeZone: string | null;
  readonly depth: number;
  readonly actor: Actor;
  readonly priorSteps: readonly ToolStep[];
}

/** Provides an agent's tools for one turn. */
export type ToolsetProvider = (request: { orgId: string; agentId: string; context: ToolContext; userText: string }) => Promise<Toolset>;

const CANCEL_TOPIC = 'turn_cancel';
/** States where a run of a turn has ended (a paused turn may run again once its approvals are decided). */
const FINISHED = new Set<TurnRow['status']>(['completed', 'failed', 'cancelled', 'awaiting_approval']);
/** A turn of another node that shows no sign of life for this long is taken for dead. */
const ABANDONED_AFTER_MS = 60_000;
const STORED_POLL_MS = 250;
const HISTORY_MESSAGES = 500;
/** Finished turns stay in memory this long so a client that re-attaches right away is served without the database. */
const KEEP_FINISHED_MS = 60_000;

function sumUsage(a: MessageUsage | null, b: MessageUsage | null): MessageUsage | null {
  if (!a || !b) return a ?? b;
  return { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens, cachedTokens: a.cachedTokens + b.cachedTokens };
}

/** The user's time zone, when the conversation was told it (metadata or user identifiers `timeZone`). */
function timeZoneOf(conversation: { metadata: string; user_identifiers: string }): string | null {
  for (const json of [conversation.metadata, conversation.user_identifiers]) {
    const value = (JSON.parse(json) as Record<string, unknown>).timeZone;
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}

function textOfUser(message: ChatMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  return (content ?? [])
    .filter((part): part is ChatContentPart & { text: string } => part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('\n');
}

function toTurnState(row: TurnRow): TurnState {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    status: row.status,
    userMessageId: row.user_message_id,
    assistantMessageId: row.assistant_message_id,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

function errorOf(error: unknown): MessageError {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  return { code: 'internal_error', message: 'The turn failed unexpectedly.' };
}

function usageOf(usage: { promptTokens: number; completionTokens: number; cachedTokens: number } | undefined): MessageUsage | null {
  return usage ? { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, cachedTokens: usage.cachedTokens } : null;
}

/** The user's words followed by the files' contents; images only for this turn, a note of them in the stored history. */
function userParts(content: string, files: readonly TurnFile[]): { now: ChatContentPart[]; stored: ChatContentPart[] } | null {
  if (files.length === 0) return null;
  const now: ChatContentPart[] = [{ type: 'text', text: content }];
  const stored: ChatContentPart[] = [{ type: 'text', text: content }];
  for (const file of files) {
    if (file.kind === 'text') {
      const part = { type: 'text', text: `[File "${file.fileName}" (${file.mimeType})]\n${file.text}` };
      now.push(part);
      stored.push(part);
    } else {
      now.push({ type: 'image_url', image_url: { url: file.dataUrl } });
      stored.push({ type: 'text', text: `[Image "${file.fileName}" was shown here]` });
    }
  }
  return { now, stored };
}

/**
 * Runs conversation turns: stores the user message before the model is
 * called, runs the turn detached from the client that asked, streams its
 * deltas to whoever listens (and to late listeners from where they left off),
 * keeps turns of one conversation in order, and persists the result.
 */
export class TurnRunner {
  private readonly live = new Map<string, LiveTurn>();
  /** The last turn started on this node per conversation: the next one waits for it. */
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly flushIntervalMs: number;
  private readonly defaultContextTokens: number;
  private readonly maxToolSteps: number;
  private readonly maxSubAgentDepth: number;

  constructor(private readonly deps: TurnRunnerDependencies) {
    this.flushIntervalMs = deps.flushIntervalMs ?? 250;
    this.defaultContextTokens = deps.defaultContextTokens ?? 32_000;
    this.maxToolSteps = deps.maxToolSteps ?? 10;
    this.maxSubAgentDepth = deps.maxSubAgentDepth ?? 3;
  }

  /** Starts hearing cancels sent through other nodes; a serving node calls it, a CLI run does not. */
  async listenForCancels(): Promise<void> {
    try {
      await this.deps.broadcast?.subscribe(CANCEL_TOPIC, (message) => this.onCancelMessage(message));
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'could not subscribe to turn cancels; cancels from other nodes arrive at the next flush');
    }
  }

  async start(request: TurnRequest): Promise<TurnHandle> {
    const { actor } = request;
    const content = request.content.trim();
    if (content === '') throw ValidationError.field('content', 'required', 'must not be empty');
    const conversation = await findConversationForTurn(this.deps.db, actor.orgId, request.conversationId);
    if (!conversation || (request.agentId !== undefined && conversation.agent_id !== request.agentId)) {
      throw new NotFoundError('Conversation', request.conversationId);
    }
    if (conversation.status === 'ended') throw new ConflictError('The conversation has ended; start a new one.', 'conversation_ended');
    const waiting = conversation.awaiting_approval ? await this.pendingApprovals(actor.orgId, conversation.id) : [];
    if (waiting.length > 0) {
      throw new ConflictError(
        `The conversation waits for a decision on tool call(s) ${waiting.map((call) => `'${call.toolCallId}' (${call.name})`).join(', ')}: approve or reject with POST /api/v1/conversations/${conversation.id}/approvals/{toolCallId} first.`,
        'approval_pending',
      );
    }
    // Files are checked before anything is written, so a bad id leaves no trace.
    const files = request.fileIds && request.fileIds.length > 0 ? await this.deps.fileContext(actor.orgId, request.fileIds) : [];
    const parts = userParts(request.content, files);

    const now = nowIso();
    const turnId = newId();
    const base = { org_id: actor.orgId, conversation_id: conversation.id, turn_id: turnId, created_at: now, updated_at: now };
    const userMessage: MessageRow = {
      ...base,
      id: newId(),
      seq: 0,
      role: 'user',
      content: request.content,
      parts: parts ? JSON.stringify(parts.stored) : null,
      tool_calls: null,
      tool_call_id: null,
      file_ids: files.length > 0 ? JSON.stringify(files.map((file) => file.id)) : null,
      model: null,
      usage: null,
      latency_ms: null,
      status: 'completed',
      error: null,
      feedback: null,
      knowledge: null,
      token_estimate: estimateMessageRowTokens({ role: 'user', content: parts ? parts.stored : request.content }),
    };
    const assistantMessage: MessageRow = {
      ...base,
      id: newId(),
      seq: 0,
      role: 'assistant',
      content: '',
      parts: null,
      tool_calls: null,
      tool_call_id: null,
      file_ids: null,
      model: null,
      usage: null,
      latency_ms: null,
      status: 'queued',
      error: null,
      feedback: null,
      knowledge: null,
      token_estimate: 0,
    };
    await this.deps.db.transaction().execute(async (transaction) => {
      // Both numbers are taken now, so a turn started later can never slip its messages in between.
      const first = await reserveSequence(transaction, actor.orgId, conversation.id, 2, now);
      userMessage.seq = first;
      assistantMessage.seq = first + 1;
      await insertMessages(transaction, [userMessage, assistantMessage]);
      await insertTurn(transaction, {
        id: turnId,
        org_id: actor.orgId,
        conversation_id: conversation.id,
        user_message_id: userMessage.id,
        assistant_message_id: assistantMessage.id,
        status: 'queued',
        cancel_requested: 0,
        error: null,
        created_at: now,
        updated_at: now,
        finished_at: null,
      });
    });

    const live = this.launch(
      { id: turnId, orgId: actor.orgId, conversationId: conversation.id, userMessageId: userMessage.id, assistantMessageId: assistantMessage.id, content: '', steps: [], reply: assistantMessage },
      request.caller,
      {
        agentId: conversation.agent_id,
        extraContext: conversation.extra_context,
        userSeq: userMessage.seq,
        createdAt: now,
        currentUser: parts ? { role: 'user', content: parts.now } : { role: 'user', content: request.content },
        textOnlyUser: parts ? { role: 'user', content: parts.stored } : { role: 'user', content: request.content },
        externalUserId: conversation.external_user_id,
        timeZone: timeZoneOf(conversation),
        depth: request.depth ?? 0,
        actor,
        priorSteps: [],
      },
    );
    return {
      turnId,
      conversationId: conversation.id,
      conversation: toConversationView({ ...conversation, last_seq: assistantMessage.seq, updated_at: now }),
      userMessage: toMessageView(userMessage),
      assistantMessageId: assistantMessage.id,
      outcome: live.outcome,
    };
  }

  /** Registers a run of a turn on this node and chains it after the conversation's previous one. */
  private launch(
    state: Pick<LiveTurn, 'id' | 'orgId' | 'conversationId' | 'userMessageId' | 'assistantMessageId' | 'content' | 'steps' | 'reply'>,
    caller: Caller,
    plan: TurnPlan,
  ): LiveTurn {
    const live: LiveTurn = { ...state, abort: new AbortController(), listeners: new Set(), finished: null, outcome: Promise.resolve(undefined as unknown as TurnOutcome) };
    this.live.set(live.id, live);
    const previous = this.tails.get(live.conversationId) ?? Promise.resolve();
    live.outcome = previous.catch(() => undefined).then(() => this.run(live, caller, plan));
    this.tails.set(live.conversationId, live.outcome);
    void live.outcome.finally(() => {
      if (this.tails.get(live.conversationId) === live.outcome) this.tails.delete(live.conversationId);
      setTimeout(() => {
        if (this.live.get(live.id) === live) this.live.delete(live.id);
      }, KEEP_FINISHED_MS).unref();
    });
    return live;
  }

  /** Tool calls waiting for a person's decision, oldest first. */
  async pendingApprovals(orgId: string, conversationId: string): Promise<PendingApproval[]> {
    const pending: PendingApproval[] = [];
    for (const turn of await findTurnsAwaitingApproval(this.deps.db, orgId, conversationId)) {
      const message = await findMessage(this.deps.db, orgId, conversationId, turn.assistant_message_id);
      for (const call of callsOf(decodeSteps(message?.tool_calls ?? null))) {
        if (call.status === 'pending_approval') {
          pending.push({ toolCallId: call.id, turnId: turn.id, messageId: turn.assistant_message_id, name: call.name, arguments: call.arguments, kind: call.kind, requestedAt: turn.updated_at });
        }
      }
    }
    return pending;
  }

  /**
   * Records a person's decision on a pending tool call. When the turn has no
   * more pending calls it resumes on this node: approved calls run, rejected
   * ones are reported to the model with the reason, and the loop goes on.
   */
  async decide(
    actor: Actor,
    caller: Caller,
    conversationId: string,
    toolCallId: string,
    decision: { approve: boolean; reason?: string | null },
  ): Promise<{ turnId: string; decided: ToolCallRecord; remaining: number; resumed: boolean }> {
    const { db } = this.deps;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      let found = false;
      for (const turn of await findTurnsAwaitingApproval(db, actor.orgId, conversationId)) {
        const message = await findMessage(db, actor.orgId, conversationId, turn.assistant_message_id);
        if (!message) continue;
        const steps = decodeSteps(message.tool_calls);
        const target = callsOf(steps).find((call) => call.id === toolCallId);
        if (!target) continue;
        found = true;
        if (target.status !== 'pending_approval') throw new ConflictError(`Tool call '${toolCallId}' was already decided (${target.status}).`, 'approval_decided');
        const decided: ToolCallRecord = { ...target, status: decision.approve ? 'approved' : 'rejected', reason: decision.reason ?? null };
        const updated = steps.map((step) => ({ ...step, calls: step.calls.map((call) => (call.id === toolCallId ? decided : call)) }));
        // Compare-and-set on the stored steps: two decisions at once must not overwrite each other.
        const written = await replaceToolSteps(db, actor.orgId, message.id, message.tool_calls, encodeSteps(updated));
        if (!written) break;
        const remaining = callsOf(updated).filter((call) => call.status === 'pending_approval').length;
        if (remaining > 0) return { turnId: turn.id, decided, remaining, resumed: false };
        const resumed = await this.resume(actor, caller, turn, message, updated);
        return { turnId: turn.id, decided, remaining: 0, resumed };
      }
      // Nothing waits under that id (never did, or decided and run since).
      if (!found) throw new NotFoundError('Pending tool call', toolCallId);
    }
    throw new ConflictError(`Tool call '${toolCallId}' is not waiting for a decision.`, 'approval_decided');
  }

  private async resume(actor: Actor, caller: Caller, turn: TurnRow, message: MessageRow, steps: readonly ToolStep[]): Promise<boolean> {
    const { db } = this.deps;
    // Only one node resumes a turn: the one whose update takes it out of awaiting_approval.
    if (!(await claimTurnForResume(db, actor.orgId, turn.id, nowIso()))) return false;
    const [conversation, user] = await Promise.all([
      findConversation(db, actor.orgId, turn.conversation_id),
      findMessage(db, actor.orgId, turn.conversation_id, turn.user_message_id),
    ]);
    if (!conversation || !user) return false;
    const userContent = user.parts ? (JSON.parse(user.parts) as ChatContentPart[]) : user.content;
    this.launch(
      { id: turn.id, orgId: actor.orgId, conversationId: conversation.id, userMessageId: user.id, assistantMessageId: message.id, content: message.content, steps, reply: message },
      caller,
      {
        agentId: conversation.agent_id,
        extraContext: conversation.extra_context,
        userSeq: user.seq,
        createdAt: turn.created_at,
        // Images were only kept for the first run; the stored notes stand in for them.
        currentUser: { role: 'user', content: userContent },
        textOnlyUser: { role: 'user', content: userContent },
        externalUserId: conversation.external_user_id,
        timeZone: timeZoneOf(conversation),
        depth: 0,
        actor,
        priorSteps: steps,
      },
    );
    return true;
  }

  /**
   * The events of a turn, from `afterPosition` (a length of reply text the
   * client already has) or from the start. Served from memory while the turn
   * runs here, otherwise from the database, following a turn that runs on
   * another node until it ends.
   */
  async *events(orgId: string, conversationId: string, turnId: string, afterPosition?: number | 'end', signal?: AbortSignal): AsyncGenerator<TurnEvent> {
    const live = this.live.get(turnId);
    if (live && live.orgId === orgId && live.conversationId === conversationId) {
      yield* this.liveEvents(live, afterPosition, signal);
      return;
    }
    yield* this.storedEvents(orgId, conversationId, turnId, afterPosition, signal);
  }

  async turn(orgId: string, conversationId: string, turnId: string): Promise<TurnState> {
    const row = await findTurn(this.deps.db, orgId, conversationId, turnId);
    if (!row) throw new NotFoundError('Turn', turnId);
    return toTurnState(row);
  }

  /**
   * Stops the unfinished turns of a conversation (or the one named): what the
   * model produced so far is kept, marked cancelled. Works from any node: the
   * flag is in the database, and the node running the turn sees it at its
   * next flush; here the turn stops at once.
   */
  async cancel(actor: Actor, conversationId: string, turnId?: string): Promise<TurnState[]> {
    const unfinished = (await findUnfinishedTurns(this.deps.db, actor.orgId, conversationId)).filter((row) => turnId === undefined || row.id === turnId);
    if (turnId !== undefined && unfinished.length === 0) {
      const row = await findTurn(this.deps.db, actor.orgId, conversationId, turnId);
      if (!row) throw new NotFoundError('Turn', turnId);
      return [toTurnState(row)];
    }
    const now = nowIso();
    for (const row of unfinished) {
      await updateTurn(this.deps.db, actor.orgId, row.id, { cancel_requested: 1, updated_at: now });
      const here = this.live.get(row.id);
      if (here) here.abort.abort(new Error('cancelled'));
      else
        await this.deps.broadcast
          ?.publish(CANCEL_TOPIC, JSON.stringify({ orgId: actor.orgId, turnId: row.id }))
          .catch((error: unknown) => this.deps.logger.warn({ err: error, turnId: row.id }, 'could not broadcast a cancel; the flag stands'));
    }
    return unfinished.map((row) => ({ ...toTurnState(row), status: 'cancelled' as const }));
  }

  /** Waits for running turns at shutdown; those still running after `timeoutMs` are stopped and saved as cancelled. */
  async drain(timeoutMs: number): Promise<void> {
    const running = [...this.live.values()].filter((live) => live.finished === null);
    if (running.length === 0) return;
    const all = Promise.allSettled(running.map((live) => live.outcome));
    const timer = sleep(timeoutMs, undefined, { ref: false }).then(() => 'timeout' as const);
    if ((await Promise.race([all, timer])) === 'timeout') {
      for (const live of running) live.abort.abort(new Error('server shutting down'));
      await all;
    }
  }

  private onCancelMessage(message: string): void {
    try {
      const { orgId, turnId } = JSON.parse(message) as { orgId?: unknown; turnId?: unknown };
      const live = typeof turnId === 'string' ? this.live.get(turnId) : undefined;
      if (live && live.orgId === orgId) live.abort.abort(new Error('cancelled'));
    } catch {
      this.deps.logger.warn('ignored a malformed turn cancel message');
    }
  }

  private async run(live: LiveTurn, caller: Caller, plan: TurnPlan): Promise<TurnOutcome> {
    const { db } = this.deps;
    let model: string | null = null;
    let usage: MessageUsage | null = null;
    let flushedLength = live.content.length;
    let flushedSteps = live.steps;
    const flush = async () => {
      const now = nowIso();
      if (live.content.length !== flushedLength || live.steps !== flushedSteps) {
        flushedLength = live.content.length;
        flushedSteps = live.steps;
        await updateMessage(db, live.orgId, live.assistantMessageId, { content: live.content, tool_calls: encodeSteps(live.steps), status: 'streaming', updated_at: now });
      }
      // Also the heartbeat that tells other nodes this turn is alive.
      await updateTurn(db, live.orgId, live.id, { updated_at: now });
      if (await isCancelRequested(db, live.orgId, live.id)) live.abort.abort(new Error('cancelled'));
    };
    let flushing: Promise<void> = Promise.resolve();
    const ticker = setInterval(() => {
      flushing = flushing.then(flush).catch((error: unknown) => this.deps.logger.warn({ err: error, turnId: live.id }, 'could not save a partial reply'));
    }, this.flushIntervalMs);
    ticker.unref();

    let status: TurnEndStatus = 'completed';
    let failure: AppError | null = null;
    let toolset: Toolset | undefined;
    const startedAt = performance.now();
    try {
      await this.waitForEarlierTurns(live, plan.createdAt);
      // One transaction: a cancel that came while the turn waited wins, else the turn and its reply start.
      if (!(await markRunning(db, live.orgId, live.id, nowIso()))) live.abort.abort(new Error('cancelled'));
      live.abort.signal.throwIfAborted();
      const agent = await this.deps.agents(live.orgId, plan.agentId);
      const toolContext: ToolContext = {
        orgId: live.orgId,
        agentId: plan.agentId,
        conversationId: live.conversationId,
        userMessageSeq: plan.userSeq,
        externalUserId: plan.externalUserId,
        timeZone: plan.timeZone,
        signal: live.abort.signal,
        depth: plan.depth,
        caller,
        actor: plan.actor,
      };
      toolset = await this.toolsetFor(agent, toolContext, textOfUser(plan.textOnlyUser));
      const messages = await this.prompt(live, plan, agent, toolset);
      const loop = await runAgentLoop({
        complete: this.deps.complete,
        caller,
        agentId: plan.agentId,
        messages,
        toolset,
        toolContext,
        maxSteps: this.maxToolSteps,
        priorSteps: plan.priorSteps,
        explainToolCalls: agent.explainToolCalls,
        onDelta: (delta) => this.emitDelta(live, delta),
        onToolEvent: (event) => this.emit(live, { type: 'tool', id: eventId(live.id, live.content.length), event: event.type, call: event.call }),
        onSteps: (steps) => {
          live.steps = steps;
        },
      });
      live.steps = loop.steps;
      model = loop.model;
      usage = usageOf(loop.usage);
      if (loop.status === 'awaiting_approval') status = 'awaiting_approval';
      live.abort.signal.throwIfAborted();
    } catch (error) {
      if (live.abort.signal.aborted) {
        status = 'cancelled';
      } else {
        status = 'failed';
        failure = error instanceof AppError ? error : new AppError('internal', 'internal_error', 'The turn failed unexpectedly.', { cause: error });
        if (!(error instanceof AppError)) this.deps.logger.error({ err: error, turnId: live.id }, 'turn failed');
      }
    } finally {
      clearInterval(ticker);
      await flushing;
    }

    const finishedAt = nowIso();
    const messageError = failure ? errorOf(failure) : status === 'cancelled' ? { code: 'cancelled', message: 'The turn was cancelled.' } : null;
    const assistant = live.reply;
    // A resumed turn adds to what its first run used.
    const totalUsage = plan.priorSteps.length > 0 ? sumUsage(assistant.usage ? (JSON.parse(assistant.usage) as MessageUsage) : null, usage) : usage;
    const knowledge = toolset?.knowledge?.() ?? [];
    const changes = {
      content: live.content,
      status,
      model: model ?? assistant.model,
      usage: totalUsage ? JSON.stringify(totalUsage) : null,
      tool_calls: encodeSteps(live.steps),
      // A resumed turn keeps what its first run was given, unless it retrieved anew.
      knowledge: knowledge.length > 0 ? JSON.stringify(knowledge) : assistant.knowledge,
      latency_ms: Math.round(performance.now() - startedAt),
      error: messageError ? JSON.stringify(messageError) : null,
      token_estimate: estimateMessageRowTokens({ role: 'assistant', content: live.content }),
      updated_at: finishedAt,
    };
    const ended = status !== 'awaiting_approval';
    // The conversation may have been deleted while the turn ran; then there is nothing left to save.
    await db.transaction().execute(async (transaction) => {
      if (await updateMessage(transaction, live.orgId, live.assistantMessageId, changes)) {
        await updateTurn(transaction, live.orgId, live.id, {
          status,
          error: messageError ? JSON.stringify(messageError) : null,
          updated_at: finishedAt,
          finished_at: ended ? finishedAt : null,
        });
      }
    });
    const message = toMessageView({ ...assistant, ...changes });
    this.finish(live, { type: 'done', id: eventId(live.id, 'end'), turnId: live.id, messageId: live.assistantMessageId, status, content: live.content, usage: totalUsage, error: messageError });
    const turn: TurnState = {
      id: live.id,
      conversationId: live.conversationId,
      status,
      userMessageId: live.userMessageId,
      assistantMessageId: live.assistantMessageId,
      createdAt: plan.createdAt,
      finishedAt: ended ? finishedAt : null,
    };
    return { status, message, error: failure, turn };
  }

  /** The agent's own tools, plus one tool per sub-agent while the depth limit allows. */
  async toolsetFor(agent: ConversationAgent, context: ToolContext, userText: string): Promise<Toolset> {
    const base = this.deps.toolsets ? await this.deps.toolsets({ orgId: context.orgId, agentId: agent.id, context, userText }) : EMPTY_TOOLSET;
    if (agent.subAgents.length === 0 || context.depth >= this.maxSubAgentDepth) return base;
    const subAgents = await subAgentTools(agent.subAgents, context, {
      agents: this.deps.agents,
      runChild: (request) => this.runChildTurn(request),
    });
    return withExtraTools(base, subAgents);
  }

  /** A sub-agent call: a new conversation of the sub-agent, linked to the parent, running one full turn. */
  private async runChildTurn(request: { context: ToolContext; agentId: string; message: string }): Promise<TurnOutcome & { conversationId: string }> {
    const conversationId = await this.deps.openChildConversation(request.context.actor, request.agentId, {
      parentConversationId: request.context.conversationId,
      parentAgentId: request.context.agentId,
      externalUserId: request.context.externalUserId,
    });
    const handle = await this.start({
      actor: request.context.actor,
      caller: request.context.caller,
      conversationId,
      content: request.message,
      depth: request.context.depth + 1,
    });
    // The parent's cancel stops the child too.
    const stop = () => void this.cancel(request.context.actor, conversationId).catch(() => undefined);
    request.context.signal.addEventListener('abort', stop, { once: true });
    try {
      return { ...(await handle.outcome), conversationId };
    } finally {
      request.context.signal.removeEventListener('abort', stop);
    }
  }

  private async prompt(live: LiveTurn, plan: TurnPlan, agent: ConversationAgent, toolset: Toolset): Promise<ChatMessage[]> {
    const user = agent.acceptsImages ? plan.currentUser : plan.textOnlyUser;
    const instructions = [plan.extraContext, ...toolset.instructions].filter((text): text is string => Boolean(text && text.trim()));
    const budget = agent.contextMaximumSize ?? this.defaultContextTokens;
    const reserved = estimateMessageRowTokens(user) + instructions.reduce((total, text) => total + estimateMessageRowTokens({ role: 'system', content: text }), 0);
    const history = await loadHistoryWindow(this.deps.db, live.orgId, live.conversationId, plan.userSeq, {
      tokens: Math.max(0, budget - reserved),
      messages: HISTORY_MESSAGES,
      toolResults: agent.toolContextCount,
    });
    return [...instructions.map((content) => ({ role: 'system', content })), ...history, user];
  }

  /**
   * Turns of one conversation run one at a time, in the order they were
   * accepted. On this node a chain guarantees it; a turn accepted by another
   * node is waited for through the database, unless it stopped showing signs
   * of life (its node died), in which case it is marked failed.
   */
  private async waitForEarlierTurns(live: LiveTurn, createdAt: string): Promise<void> {
    for (;;) {
      const earlier = (await findUnfinishedTurns(this.deps.db, live.orgId, live.conversationId)).filter(
        (row) => row.id !== live.id && !this.live.has(row.id) && (row.created_at < createdAt || (row.created_at === createdAt && row.id < live.id)),
      );
      if (earlier.length === 0) return;
      const now = Date.now();
      for (const row of earlier) {
        if (now - Date.parse(row.updated_at) > ABANDONED_AFTER_MS) {
          const error = JSON.stringify({ code: 'turn_abandoned', message: 'The node running this turn stopped.' });
          const finishedAt = nowIso();
          await updateTurn(this.deps.db, live.orgId, row.id, { status: 'failed', error, updated_at: finishedAt, finished_at: finishedAt });
          await updateMessage(this.deps.db, live.orgId, row.assistant_message_id, { status: 'failed', error, updated_at: finishedAt });
        }
      }
      await sleep(STORED_POLL_MS, undefined, { signal: live.abort.signal });
    }
  }

  private emitDelta(live: LiveTurn, delta: string): void {
    live.content += delta;
    this.emit(live, { type: 'delta', id: eventId(live.id, live.content.length), content: delta });
  }

  private emit(live: LiveTurn, event: TurnEvent): void {
    for (const listener of live.listeners) listener(event);
  }

  private finish(live: LiveTurn, event: TurnEvent): void {
    live.finished = event;
    for (const listener of live.listeners) listener(event);
    live.listeners.clear();
  }

  private startEvent(turnId: string, conversationId: string, userMessageId: string, assistantMessageId: string): TurnEvent {
    return { type: 'turn', id: eventId(turnId, 0), turnId, conversationId, userMessageId, assistantMessageId };
  }

  private async *liveEvents(live: LiveTurn, afterPosition: number | 'end' | undefined, signal?: AbortSignal): AsyncGenerator<TurnEvent> {
    if (afterPosition === 'end') return;
    if (afterPosition === undefined) yield this.startEvent(live.id, live.conversationId, live.userMessageId, live.assistantMessageId);
    // Subscribe and take the catch-up text in the same tick, so no delta falls between them.
    const queue: TurnEvent[] = [];
    let wake: (() => void) | undefined;
    const listener = (event: TurnEvent) => {
      queue.push(event);
      wake?.();
    };
    const from = Math.min(afterPosition ?? 0, live.content.length);
    const caughtUp = live.content.slice(from);
    const position = live.content.length;
    const finished = live.finished;
    if (!finished) live.listeners.add(listener);
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      if (caughtUp !== '') yield { type: 'delta', id: eventId(live.id, position), content: caughtUp };
      if (finished) {
        yield finished;
        return;
      }
      for (;;) {
        while (queue.length > 0) {
          const event = queue.shift() as TurnEvent;
          yield event;
          if (event.type === 'done') return;
        }
        if (signal?.aborted) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      live.listeners.delete(listener);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async *storedEvents(
    orgId: string,
    conversationId: string,
    turnId: string,
    afterPosition: number | 'end' | undefined,
    signal?: AbortSignal,
  ): AsyncGenerator<TurnEvent> {
    const first = await findTurn(this.deps.db, orgId, conversationId, turnId);
    if (!first) throw new NotFoundError('Turn', turnId);
    if (afterPosition === 'end') return;
    if (afterPosition === undefined) yield this.startEvent(first.id, first.conversation_id, first.user_message_id, first.assistant_message_id);
    let sent = afterPosition ?? 0;
    for (;;) {
      const [turn, message] = await Promise.all([
        findTurn(this.deps.db, orgId, conversationId, turnId),
        findMessage(this.deps.db, orgId, conversationId, first.assistant_message_id),
      ]);
      if (!turn || !message) return;
      if (message.content.length > sent) {
        yield { type: 'delta', id: eventId(turnId, message.content.length), content: message.content.slice(sent) };
        sent = message.content.length;
      }
      if (FINISHED.has(turn.status)) {
        const view = toMessageView(message);
        yield {
          type: 'done',
          id: eventId(turnId, 'end'),
          turnId,
          messageId: message.id,
          status: turn.status as TurnEndStatus,
          content: message.content,
          usage: view.usage,
          error: view.error,
        };
        return;
      }
      if (signal?.aborted) return;
      try {
        await sleep(STORED_POLL_MS, undefined, signal ? { signal } : {});
      } catch {
        return;
      }
    }
  }
}
