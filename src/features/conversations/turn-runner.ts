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
import {
  type MessageRow,
  type TurnRow,
  findConversation,
  findMessage,
  findTurn,
  findUnfinishedTurns,
  insertMessages,
  insertTurn,
  isCancelRequested,
  reserveSequence,
  updateConversation,
  updateMessage,
  updateTurn,
} from './conversation.repository.js';
import type { AgentLookup } from './conversation.service.js';
import { type MessageError, type MessageUsage, type MessageView, toMessageView } from './conversation.views.js';
import { estimateMessageRowTokens, loadHistoryWindow } from './history-window.js';
import { readModelReply } from './model-reply.js';
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
}

export interface TurnOutcome {
  readonly status: TurnEndStatus;
  readonly message: MessageView;
  /** Why a failed turn failed, as the error a synchronous caller receives. */
  readonly error: AppError | null;
}

export interface TurnHandle {
  readonly turnId: string;
  readonly conversationId: string;
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
  finished: TurnEvent | null;
  outcome: Promise<TurnOutcome>;
}

const CANCEL_TOPIC = 'turn_cancel';
const FINISHED = new Set<TurnRow['status']>(['completed', 'failed', 'cancelled']);
/** A turn of another node that shows no sign of life for this long is taken for dead. */
const ABANDONED_AFTER_MS = 60_000;
const STORED_POLL_MS = 250;
const HISTORY_MESSAGES = 500;
/** Finished turns stay in memory this long so a client that re-attaches right away is served without the database. */
const KEEP_FINISHED_MS = 60_000;

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

  constructor(private readonly deps: TurnRunnerDependencies) {
    this.flushIntervalMs = deps.flushIntervalMs ?? 250;
    this.defaultContextTokens = deps.defaultContextTokens ?? 32_000;
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
    const conversation = await findConversation(this.deps.db, actor.orgId, request.conversationId);
    if (!conversation || (request.agentId !== undefined && conversation.agent_id !== request.agentId)) {
      throw new NotFoundError('Conversation', request.conversationId);
    }
    if (conversation.status === 'ended') throw new ConflictError('The conversation has ended; start a new one.', 'conversation_ended');
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

    const live: LiveTurn = {
      id: turnId,
      orgId: actor.orgId,
      conversationId: conversation.id,
      userMessageId: userMessage.id,
      assistantMessageId: assistantMessage.id,
      abort: new AbortController(),
      listeners: new Set(),
      content: '',
      finished: null,
      outcome: Promise.resolve(undefined as unknown as TurnOutcome),
    };
    this.live.set(turnId, live);
    const previous = this.tails.get(conversation.id) ?? Promise.resolve();
    live.outcome = previous
      .catch(() => undefined)
      .then(() =>
        this.run(live, request.caller, {
          agentId: conversation.agent_id,
          extraContext: conversation.extra_context,
          userSeq: userMessage.seq,
          createdAt: now,
          currentUser: parts ? { role: 'user', content: parts.now } : { role: 'user', content: request.content },
          // What the user message becomes for a model that takes no images: the notes stored for history.
          textOnlyUser: parts ? { role: 'user', content: parts.stored } : { role: 'user', content: request.content },
        }),
      );
    this.tails.set(conversation.id, live.outcome);
    void live.outcome.finally(() => {
      if (this.tails.get(conversation.id) === live.outcome) this.tails.delete(conversation.id);
      setTimeout(() => this.live.delete(turnId), KEEP_FINISHED_MS).unref();
    });
    return {
      turnId,
      conversationId: conversation.id,
      userMessage: toMessageView(userMessage),
      assistantMessageId: assistantMessage.id,
      outcome: live.outcome,
    };
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

  private async run(
    live: LiveTurn,
    caller: Caller,
    context: { agentId: string; extraContext: string | null; userSeq: number; createdAt: string; currentUser: ChatMessage; textOnlyUser: ChatMessage },
  ): Promise<TurnOutcome> {
    const { db } = this.deps;
    let model: string | null = null;
    let usage: MessageUsage | null = null;
    let toolCalls: unknown[] | null = null;
    let flushedLength = 0;
    const flush = async () => {
      const now = nowIso();
      if (live.content.length !== flushedLength) {
        flushedLength = live.content.length;
        await updateMessage(db, live.orgId, live.assistantMessageId, { content: live.content, updated_at: now });
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
    const startedAt = performance.now();
    try {
      await this.waitForEarlierTurns(live, context.createdAt);
      if (await isCancelRequested(db, live.orgId, live.id)) live.abort.abort(new Error('cancelled'));
      live.abort.signal.throwIfAborted();
      const now = nowIso();
      await updateTurn(db, live.orgId, live.id, { status: 'running', updated_at: now });
      await updateMessage(db, live.orgId, live.assistantMessageId, { status: 'streaming', updated_at: now });
      const messages = await this.prompt(live, context);
      const result = await this.deps.complete(
        caller,
        { model: context.agentId, messages: messages as ChatCompletionRequest['messages'], stream: true, stream_options: { include_usage: true } },
        { signal: live.abort.signal, pingIntervalMs: 0 },
      );
      model = result.headers['x-agentry-upstream-model'] ?? null;
      const reply = await readModelReply(result, (delta) => this.emitDelta(live, delta));
      usage = usageOf(reply.usage);
      toolCalls = reply.toolCalls.length > 0 ? reply.toolCalls : null;
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
    const assistant = await findMessage(db, live.orgId, live.conversationId, live.assistantMessageId);
    const changes = {
      content: live.content,
      status,
      model,
      usage: usage ? JSON.stringify(usage) : null,
      tool_calls: toolCalls ? JSON.stringify(toolCalls) : null,
      latency_ms: Math.round(performance.now() - startedAt),
      error: messageError ? JSON.stringify(messageError) : null,
      token_estimate: estimateMessageRowTokens({ role: 'assistant', content: live.content }),
      updated_at: finishedAt,
    };
    // The conversation may have been deleted while the turn ran; then there is nothing left to save.
    if (assistant) {
      await db.transaction().execute(async (transaction) => {
        await updateMessage(transaction, live.orgId, live.assistantMessageId, changes);
        await updateTurn(transaction, live.orgId, live.id, {
          status,
          error: messageError ? JSON.stringify(messageError) : null,
          updated_at: finishedAt,
          finished_at: finishedAt,
        });
        await updateConversation(transaction, live.orgId, live.conversationId, { updated_at: finishedAt });
      });
    }
    const message = toMessageView({ ...(assistant ?? ({} as MessageRow)), ...changes, id: live.assistantMessageId, conversation_id: live.conversationId, turn_id: live.id, role: 'assistant' });
    this.finish(live, { type: 'done', id: eventId(live.id, 'end'), turnId: live.id, messageId: live.assistantMessageId, status, content: live.content, usage, error: messageError });
    return { status, message, error: failure };
  }

  private async prompt(
    live: LiveTurn,
    context: { agentId: string; extraContext: string | null; userSeq: number; currentUser: ChatMessage; textOnlyUser: ChatMessage },
  ): Promise<ChatMessage[]> {
    const agent = await this.deps.agents(live.orgId, context.agentId);
    const user = agent.acceptsImages ? context.currentUser : context.textOnlyUser;
    const budget = agent.contextMaximumSize ?? this.defaultContextTokens;
    const reserved = estimateMessageRowTokens(user) + (context.extraContext ? estimateMessageRowTokens({ role: 'system', content: context.extraContext }) : 0);
    const history = await loadHistoryWindow(this.deps.db, live.orgId, live.conversationId, context.userSeq, {
      tokens: Math.max(0, budget - reserved),
      messages: HISTORY_MESSAGES,
    });
    const messages: ChatMessage[] = [];
    if (context.extraContext) messages.push({ role: 'system', content: context.extraContext });
    messages.push(...history, user);
    return messages;
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
    const event: TurnEvent = { type: 'delta', id: eventId(live.id, live.content.length), content: delta };
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
