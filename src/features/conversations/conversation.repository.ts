import { type Selectable, type Updateable, sql } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { ConversationsTable, MessagesTable, TurnsTable } from './conversation.table.js';

export type ConversationRow = Selectable<ConversationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type TurnRow = Selectable<TurnsTable>;

// --- conversations ----------------------------------------------------------

export async function insertConversation(db: DatabaseHandle, row: ConversationRow): Promise<void> {
  await db.insertInto('conversations').values(row).execute();
}

export async function findConversation(db: DatabaseHandle, orgId: string, id: string): Promise<ConversationRow | undefined> {
  return db.selectFrom('conversations').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** A conversation with whether one of its turns waits for approvals, in one statement (the turn path counts them). */
export async function findConversationForTurn(
  db: DatabaseHandle,
  orgId: string,
  id: string,
): Promise<(ConversationRow & { awaiting_approval: boolean }) | undefined> {
  const row = await db
    .selectFrom('conversations')
    .selectAll('conversations')
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('turns')
            .select('turns.id')
            .whereRef('turns.conversation_id', '=', 'conversations.id')
            .where('turns.status', '=', 'awaiting_approval'),
        )
        .as('awaiting'),
    )
    .where('conversations.org_id', '=', orgId)
    .where('conversations.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const { awaiting, ...conversation } = row;
  return { ...conversation, awaiting_approval: Boolean(awaiting) };
}

export interface ConversationListFilter {
  readonly agentId: string;
  readonly externalUserId?: string;
  /** Ids are UUIDv7, so id order is creation order. */
  readonly afterId?: string;
  readonly limit: number;
}

/** Newest first. */
export async function listConversations(db: DatabaseHandle, orgId: string, filter: ConversationListFilter): Promise<ConversationRow[]> {
  let query = db.selectFrom('conversations').selectAll().where('org_id', '=', orgId).where('agent_id', '=', filter.agentId);
  if (filter.externalUserId !== undefined) query = query.where('external_user_id', '=', filter.externalUserId);
  if (filter.afterId !== undefined) query = query.where('id', '<', filter.afterId);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
}

export async function updateConversation(db: DatabaseHandle, orgId: string, id: string, changes: Updateable<ConversationsTable>): Promise<void> {
  await db.updateTable('conversations').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deleteConversation(db: DatabaseHandle, orgId: string, id: string): Promise<void> {
  // Messages and turns go with it (foreign keys cascade on both dialects).
  await db.deleteFrom('conversations').where('org_id', '=', orgId).where('id', '=', id).execute();
}

/**
 * Hands out `count` consecutive message numbers. The increment is one
 * statement, so concurrent turns on one conversation never share a number.
 */
export async function reserveSequence(db: DatabaseHandle, orgId: string, id: string, count: number, now: string): Promise<number> {
  const row = await db
    .updateTable('conversations')
    .set({ last_seq: sql<number>`last_seq + ${count}`, updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returning('last_seq')
    .executeTakeFirst();
  if (!row) throw new Error(`conversation ${id} vanished while reserving message numbers`);
  return row.last_seq - count + 1;
}

export interface AgentUserRow {
  readonly external_user_id: string;
  readonly external_user_name: string | null;
  readonly conversations: number;
  readonly first_seen: string;
  readonly last_seen: string;
}

export type AgentUserOrder = 'lastSeen' | 'firstSeen' | 'name' | 'conversations';

/** Users without a name sort by their id, so both dialects give one order (they place nulls differently). */
const userOrderKey = {
  lastSeen: sql`last_seen`,
  firstSeen: sql`first_seen`,
  name: sql`lower(coalesce(external_user_name, external_user_id))`,
  conversations: sql`conversations`,
} as const;

/** The distinct external users who talked to an agent, with their conversation counts. */
export async function listAgentUsers(
  db: DatabaseHandle,
  orgId: string,
  agentId: string,
  page: { offset: number; limit: number; orderBy: AgentUserOrder; direction: 'asc' | 'desc' },
): Promise<{ rows: AgentUserRow[]; total: number }> {
  const users = db
    .selectFrom('conversations')
    .where('org_id', '=', orgId)
    .where('agent_id', '=', agentId)
    .where('external_user_id', 'is not', null)
    .groupBy('external_user_id')
    .select((eb) => [
      sql<string>`external_user_id`.as('external_user_id'),
      eb.fn.max('external_user_name').as('external_user_name'),
      eb.fn.countAll<number>().as('conversations'),
      eb.fn.min('created_at').as('first_seen'),
      eb.fn.max('updated_at').as('last_seen'),
    ]);
  const [rows, total] = await Promise.all([
    db
      .selectFrom(users.as('u'))
      .selectAll()
      .orderBy(userOrderKey[page.orderBy], page.direction)
      .orderBy('external_user_id')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    db.selectFrom(users.as('u')).select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return {
    rows: rows.map((row) => ({ ...row, conversations: Number(row.conversations), external_user_id: String(row.external_user_id) })) as AgentUserRow[],
    total: Number(total.total),
  };
}

// --- messages ---------------------------------------------------------------

export async function insertMessages(db: DatabaseHandle, rows: readonly MessageRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('messages').values([...rows]).execute();
}

export async function findMessage(db: DatabaseHandle, orgId: string, conversationId: string, id: string): Promise<MessageRow | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('conversation_id', '=', conversationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** False when the message is gone (its conversation was deleted). */
export async function updateMessage(db: DatabaseHandle, orgId: string, id: string, changes: Updateable<MessagesTable>): Promise<boolean> {
  const result = await db.updateTable('messages').set(changes).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Oldest first, after message number `afterSeq`. */
export async function listMessages(
  db: DatabaseHandle,
  orgId: string,
  conversationId: string,
  page: { afterSeq: number; limit: number; offset?: number },
): Promise<MessageRow[]> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', page.afterSeq)
    .orderBy('seq', 'asc')
    .limit(page.limit)
    .offset(page.offset ?? 0)
    .execute();
}

export async function countMessages(db: DatabaseHandle, orgId: string, conversationId: string): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('org_id', '=', orgId)
    .where('conversation_id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Where the history window of a turn starts: the oldest message number such
 * that the usable messages from there up to `beforeSeq` fit `tokens`, looking
 * at the newest `limit` messages. Computed by the database from the stored
 * size estimates (an index-only scan), so contents are read for the window alone.
 */
export async function findWindowStart(
  db: DatabaseHandle,
  orgId: string,
  conversationId: string,
  beforeSeq: number,
  budget: { tokens: number; messages: number; usable: readonly string[] },
): Promise<number | null> {
  const recent = db
    .selectFrom('messages')
    .select((eb) => [
      'seq',
      sql<number>`sum(case when ${eb.ref('status')} in (${sql.join(budget.usable)}) then ${eb.ref('token_estimate')} else 0 end) over (order by ${eb.ref('seq')} desc rows between unbounded preceding and current row)`.as('running'),
    ])
    .where('org_id', '=', orgId)
    .where('conversation_id', '=', conversationId)
    .where('seq', '<', beforeSeq)
    .orderBy('seq', 'desc')
    .limit(budget.messages);
  const row = await db
    .selectFrom(recent.as('recent'))
    .select((eb) => eb.fn.min('seq').as('from_seq'))
    .where('running', '<=', budget.tokens)
    .executeTakeFirst();
  return row?.from_seq === null || row?.from_seq === undefined ? null : Number(row.from_seq);
}

/** What a model needs of a past message. */
export type HistoryRow = Pick<MessageRow, 'seq' | 'role' | 'content' | 'parts' | 'tool_calls' | 'tool_call_id' | 'status'>;

/** Messages with numbers in [fromSeq, beforeSeq), oldest first, with only the columns a prompt uses. */
export async function listMessageRange(
  db: DatabaseHandle,
  orgId: string,
  conversationId: string,
  fromSeq: number,
  beforeSeq: number,
): Promise<HistoryRow[]> {
  return db
    .selectFrom('messages')
    .select(['seq', 'role', 'content', 'parts', 'tool_calls', 'tool_call_id', 'status'])
    .where('org_id', '=', orgId)
    .where('conversation_id', '=', conversationId)
    .where('seq', '>=', fromSeq)
    .where('seq', '<', beforeSeq)
    .orderBy('seq', 'asc')
    .execute();
}

// --- turns ------------------------------------------------------------------

export async function insertTurn(db: DatabaseHandle, row: TurnRow): Promise<void> {
  await db.insertInto('turns').values(row).execute();
}

export async function findTurn(db: DatabaseHandle, orgId: string, conversationId: string, id: string): Promise<TurnRow | undefined> {
  return db
    .selectFrom('turns')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('conversation_id', '=', conversationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findUnfinishedTurns(db: DatabaseHandle, orgId: string, conversationId: string): Promise<TurnRow[]> {
  return db
    .selectFrom('turns')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('conversation_id', '=', conversationId)
    .where('status', 'in', ['queued', 'running'])
    .orderBy('created_at', 'asc')
    .execute();
}

export async function updateTurn(db: DatabaseHandle, orgId: string, id: string, changes: Updateable<TurnsTable>): Promise<void> {
  await db.updateTable('turns').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function isCancelRequested(db: DatabaseHandle, orgId: string, id: string): Promise<boolean> {
  const row = await db.selectFrom('turns').select('cancel_requested').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row?.cancel_requested === 1;
}

export async function findTurnsAwaitingApproval(db: DatabaseHandle, orgId: string, conversationId: string): Promise<TurnRow[]> {
  return db
    .selectFrom('turns')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('conversation_id', '=', conversationId)
    .where('status', '=', 'awaiting_approval')
    .orderBy('created_at', 'asc')
    .execute();
}

/** Replaces a reply's tool steps only if they are still `expected`; false when another writer came first. */
export async function replaceToolSteps(db: DatabaseHandle, orgId: string, messageId: string, expected: string | null, next: string | null): Promise<boolean> {
  let query = db.updateTable('messages').set({ tool_calls: next }).where('org_id', '=', orgId).where('id', '=', messageId);
  query = expected === null ? query.where('tool_calls', 'is', null) : query.where('tool_calls', '=', expected);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Moves a paused turn back to the queue; false when another node already did. */
export async function claimTurnForResume(db: DatabaseHandle, orgId: string, id: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('turns')
    .set({ status: 'queued', updated_at: now, finished_at: null })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('status', '=', 'awaiting_approval')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Starts a turn unless a cancel was requested meanwhile (false then). Its
 * reply turns `streaming` at the first flush that saves text.
 */
export async function markRunning(db: DatabaseHandle, orgId: string, turnId: string, now: string): Promise<boolean> {
  return db.transaction().execute(async (transaction) => {
    const started = await transaction
      .updateTable('turns')
      .set({ status: 'running', updated_at: now })
      .where('org_id', '=', orgId)
      .where('id', '=', turnId)
      .where('cancel_requested', '=', 0)
      .executeTakeFirst();
    return Number(started.numUpdatedRows) > 0;
  });
}
