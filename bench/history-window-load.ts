/**
 * Issue 4, budget 2: a conversation with 10,000 messages loads its context
 * window in under 10 ms.
 *
 * In-process, no server: a fresh migrated database (SQLite in a temporary
 * directory; PostgreSQL as well when BENCH_DATABASE_URL is set, in a schema of
 * its own that is dropped afterwards) gets one organization, one agent, one
 * conversation and 10,000 messages of 200–1,500 characters (seeded, so every
 * run writes the same rows), written straight with Kysely. Then
 * `loadHistoryWindow` — what a turn runs to assemble its history — is timed
 * for the newest window (32,000 estimated tokens, at most 500 messages looked
 * at) after a warm-up. The budget is held to the p99 of the timed runs.
 *
 *   node --import tsx bench/history-window-load.ts
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { estimateTextTokens, loadHistoryWindow } from '../src/features/conversations/history-window.js';
import type { MessageRow } from '../src/features/conversations/conversation.repository.js';
import type { Database } from '../src/platform/db/database.js';
import { newId } from '../src/platform/ids.js';
import { type BenchResult, type Check, check, isMain, machineLoad, percentile, runStandalone } from './support.js';
import { type BenchDialect, insertBenchOrganization, openFreshDatabase, seededRandom } from './bench-data.js';

export const HISTORY_WINDOW_BUDGET_MS = 10;

export interface HistoryWindowOptions {
  readonly messages?: number;
  readonly warmup?: number;
  readonly runs?: number;
  /** PostgreSQL to run on as well; the default is BENCH_DATABASE_URL. */
  readonly postgresUrl?: string;
}

type Dialect = BenchDialect;

export interface HistoryWindowFigures {
  readonly dialect: Dialect;
  readonly fillMs: number;
  readonly totalCharacters: number;
  readonly samplesMs: readonly number[];
  readonly windowMessages: number;
  readonly windowTokens: number;
}

const WINDOW = { tokens: 32_000, messages: 500 } as const;
const INSERT_BATCH = 500;
const WORDS = (
  'the agent reads the order history and checks the delivery window before it answers the customer about refunds ' +
  'invoices shipping addresses warranty terms and the next steps a support engineer would take for this account'
).split(' ');

function prose(random: () => number, length: number): string {
  let text = '';
  while (text.length < length) text += `${WORDS[Math.floor(random() * WORDS.length)]}${random() < 0.1 ? '. ' : ' '}`;
  return text.slice(0, length);
}

/** One organization, agent and conversation, and `count` messages alternating user and assistant. */
async function fillConversation(database: Database, count: number): Promise<{ orgId: string; conversationId: string; totalCharacters: number }> {
  const db = database.handle;
  const started = Date.now() - count * 1_000;
  const at = (offset: number) => new Date(started + offset * 1_000).toISOString();
  const orgId = await insertBenchOrganization(database, at(0));
  const agentId = newId();
  const conversationId = newId();
  await db
    .insertInto('ai_gateways')
    .values({
      id: agentId,
      org_id: orgId,
      name: 'bench agent',
      slug: 'bench-agent',
      parameters: JSON.stringify({ baseAddress: '', modelName: '@openai/bench-model' }),
      api_key: null,
      profile: '{}',
      created_at: at(0),
      updated_at: at(0),
    })
    .execute();
  await db
    .insertInto('conversations')
    .values({
      id: conversationId,
      org_id: orgId,
      agent_id: agentId,
      name: 'ten thousand messages',
      external_user_id: null,
      external_user_name: null,
      user_identifiers: '{}',
      channel: 'api',
      metadata: '{}',
      extra_context: null,
      status: 'open',
      last_seq: count,
      created_at: at(0),
      updated_at: at(count),
    })
    .execute();

  const random = seededRandom(4);
  let totalCharacters = 0;
  for (let first = 1; first <= count; first += INSERT_BATCH) {
    const rows: MessageRow[] = [];
    for (let seq = first; seq < first + INSERT_BATCH && seq <= count; seq += 1) {
      const content = prose(random, 200 + Math.floor(random() * 1_301));
      totalCharacters += content.length;
      const role = seq % 2 === 1 ? 'user' : 'assistant';
      rows.push({
        id: newId(),
        org_id: orgId,
        conversation_id: conversationId,
        seq,
        turn_id: null,
        role,
        content,
        parts: null,
        tool_calls: null,
        tool_call_id: null,
        file_ids: null,
        model: role === 'assistant' ? '@openai/bench-model' : null,
        usage: role === 'assistant' ? JSON.stringify({ promptTokens: 1_000, completionTokens: 200, cachedTokens: 0 }) : null,
        latency_ms: role === 'assistant' ? 900 : null,
        status: 'completed',
        error: null,
        feedback: null,
        knowledge: null,
        token_estimate: estimateTextTokens(content),
        created_at: at(seq),
        updated_at: at(seq),
      });
    }
    await db.transaction().execute((transaction) => transaction.insertInto('messages').values(rows).execute());
  }
  return { orgId, conversationId, totalCharacters };
}

export async function measureHistoryWindow(dialect: Dialect, options: HistoryWindowOptions = {}): Promise<HistoryWindowFigures> {
  const count = options.messages ?? 10_000;
  const warmup = options.warmup ?? 50;
  const runs = options.runs ?? 200;
  const { database, drop } = await openFreshDatabase(dialect, options.postgresUrl);
  try {
    const fillStarted = performance.now();
    const { orgId, conversationId, totalCharacters } = await fillConversation(database, count);
    const fillMs = performance.now() - fillStarted;
    // Autovacuum analyzes a table after a bulk load; doing it now measures the steady state, not the first minute.
    if (dialect === 'postgres') await sql`analyze messages`.execute(database.handle);
    const load = () => loadHistoryWindow(database.handle, orgId, conversationId, count + 1, WINDOW);
    for (let i = 0; i < warmup; i += 1) await load();
    const samplesMs: number[] = [];
    let window = await load();
    for (let i = 0; i < runs; i += 1) {
      const started = performance.now();
      window = await load();
      samplesMs.push(performance.now() - started);
    }
    const windowTokens = window.reduce((total, message) => total + estimateTextTokens(typeof message.content === 'string' ? message.content : ''), 0);
    if (window.length === 0 || windowTokens > WINDOW.tokens) throw new Error(`${dialect}: unexpected window of ${window.length} messages, ${windowTokens} tokens`);
    return { dialect, fillMs, totalCharacters, samplesMs, windowMessages: window.length, windowTokens };
  } finally {
    await drop();
  }
}

function describe(figures: HistoryWindowFigures, count: number, warmup: number): string {
  const [p50, p90, p99] = [50, 90, 99].map((p) => percentile(figures.samplesMs, p).toFixed(3));
  const max = Math.max(...figures.samplesMs).toFixed(3);
  return (
    `history-window: ${figures.dialect}: ${count} messages (${(figures.totalCharacters / count).toFixed(0)} characters on average, written in ${figures.fillMs.toFixed(0)} ms); ` +
    `window ${figures.windowMessages} messages, ${figures.windowTokens} estimated tokens (budget ${WINDOW.tokens} tokens, ${WINDOW.messages} messages looked at); ` +
    `${warmup} warm-up + ${figures.samplesMs.length} timed loads: p50 ${p50} ms, p90 ${p90} ms, p99 ${p99} ms, max ${max} ms`
  );
}

export async function runHistoryWindowLoad(options: HistoryWindowOptions = {}): Promise<BenchResult> {
  const count = options.messages ?? 10_000;
  const warmup = options.warmup ?? 50;
  const postgresUrl = options.postgresUrl ?? process.env.BENCH_DATABASE_URL;
  const info = [`history-window: machine before: ${machineLoad()}`];
  const checks: Check[] = [];
  const dialects: Dialect[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];
  for (const dialect of dialects) {
    const figures = await measureHistoryWindow(dialect, { ...options, postgresUrl });
    info.push(describe(figures, count, warmup));
    checks.push(check(`history-window ${dialect} ${count} messages p99`, percentile(figures.samplesMs, 99), 'ms', '<', HISTORY_WINDOW_BUDGET_MS, 3));
  }
  if (!postgresUrl) info.push('history-window: postgres: skipped (set BENCH_DATABASE_URL=postgres://… to run it there too)');
  return { name: 'history-window', info, checks };
}

if (isMain(import.meta.url)) await runStandalone(() => runHistoryWindowLoad());
