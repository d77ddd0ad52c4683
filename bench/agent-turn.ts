/**
 * Issue 4's budgets ("Agents and conversations", section Budgets):
 *
 *   1. At 1 connection against the fixed upstream (bench/fixed-upstream.ts,
 *      own process), measured in the same run, rotating rounds:
 *        agent    POST /tenants/{org}/api/v2/agents/{agent}/conversations/{cid}/messages
 *                 (synchronous turn, persisted, on a conversation with a 20-turn history)
 *        gateway  POST /v1/chat/completions, model = the same agent, non-streamed,
 *                 with the same 40 + 1 messages in the body
 *      agent p50 <= gateway p50 + 2 ms. Also timed, for attribution only: the
 *      gateway streamed (`gateway-stream`), since the agent path calls the
 *      upstream with `stream: true` and reads its 20 events.
 *   2. A conversation with 10,000 messages loads its context window in under
 *      10 ms (in-process, bench/history-window-load.ts), held to the p99.
 *
 * Keeping the history at 20 turns: every measured post adds a turn, so the
 * agent sets `contextMaximumSize` to exactly what 40 history messages plus the
 * new user message estimate to (all user messages have one length, every reply
 * is the fixed upstream's), so each turn sends exactly the 40 newest history
 * messages — the same 41 messages the gateway requests carry. The posts also
 * rotate over a pool of conversations, each filled with 20 turns through the
 * API first, so no conversation grows far past 20 turns (how far is printed).
 * The fill doubles as the agent path's warm-up.
 *
 * The server is `node dist/main.js` with OPENAI_BASE_URL=<upstream>/v1 and
 * OPENAI_API_KEY=bench (an operator connection, so the loopback upstream
 * needs no AGENTRY_OUTBOUND_ALLOW), LOG_LEVEL as for the other benches. The
 * requests are timed in this process with undici, from start to the end of
 * the body, on one keep-alive connection. About 30 s in all. To see where a
 * turn's time goes: bench/agent-turn-profile.ts.
 *
 *   npm run build && node --import tsx bench/agent-turn.ts
 */
import { performance } from 'node:perf_hooks';
import { Client, Pool } from 'undici';
import { estimateTextTokens } from '../src/features/conversations/history-window.js';
import { FIXED_COMPLETION, FIXED_STREAM } from './fixed-upstream.js';
import { runHistoryWindowLoad } from './history-window-load.js';
import {
  type BenchResult,
  type Check,
  type HelperProcess,
  type StartOptions,
  check,
  isMain,
  machineLoad,
  percentile,
  readProcCpuMs,
  runStandalone,
  startHelperProcess,
  withServer,
} from './support.js';

export const AGENT_TURN_BUDGET = { p50OverGatewayMs: 2 } as const;

export interface AgentTurnOptions extends StartOptions {
  /** Conversations the measured posts rotate over, each filled with `historyTurns` turns first. */
  readonly conversations?: number;
  readonly historyTurns?: number;
  readonly fillConcurrency?: number;
  /** Requests per target before measuring; then `rounds` x `batch` measured per target. */
  readonly warmup?: number;
  readonly rounds?: number;
  readonly batch?: number;
  /** Leave out budget 2 (the in-process history window). */
  readonly skipHistoryWindow?: boolean;
}

type TargetName = 'agent' | 'gateway' | 'gateway-stream';
const TARGETS: readonly TargetName[] = ['agent', 'gateway', 'gateway-stream'];
const USER_MESSAGE_CHARACTERS = 240;

/** The reply text the agent stores: the fixed upstream's streamed deltas, concatenated. */
const REPLY_TEXT = FIXED_STREAM.map((event) => {
  const data = event.toString('utf8').replace(/^data: /, '').trim();
  if (data === '[DONE]') return '';
  return (JSON.parse(data) as { choices: [{ delta: { content?: string } }] }).choices[0].delta.content ?? '';
}).join('');
const COMPLETION_TEXT = (JSON.parse(FIXED_COMPLETION.toString('utf8')) as { choices: [{ message: { content: string } }] }).choices[0].message.content;

/** A user message of exactly USER_MESSAGE_CHARACTERS characters, so every one has the same token estimate. */
export function userText(index: number): string {
  const text = `Question ${index}: which of my open orders ship this week, and can the delivery address of the second one still be changed to the office? `;
  return text.repeat(2).slice(0, USER_MESSAGE_CHARACTERS);
}

interface Timed {
  readonly ms: number;
  readonly body: string;
  readonly contentType: string;
}

/** One request on `client`, timed from start to the end of the body; anything but 200 throws. */
export async function timedPost(client: Client | Pool, path: string, headers: Record<string, string>, body: string): Promise<Timed> {
  const started = performance.now();
  const response = await client.request({ path, method: 'POST', headers, body });
  const text = await response.body.text();
  const ms = performance.now() - started;
  if (response.statusCode !== 200) throw new Error(`POST ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
  return { ms, body: text, contentType: String(response.headers['content-type'] ?? '') };
}

async function request<T>(pool: Pool, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<T> {
  const response = await pool.request({ path, method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${method} ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

interface PostedState {
  readonly messages: Array<{ role: string; content: string; status: string }>;
}

export interface AgentConversations {
  readonly orgId: string;
  readonly agentId: string;
  readonly conversationIds: readonly string[];
  readonly contextMaximumSize: number;
  readonly fillMs: number;
}

/** The agent, and the pool of conversations filled with `turns` turns each through the Conversations API. */
export async function fillConversations(
  pool: Pool,
  headers: Record<string, string>,
  options: { conversations: number; turns: number; concurrency: number },
): Promise<AgentConversations> {
  const orgId = (await request<{ id: string }>(pool, 'GET', '/api/v1/accounts', headers)).id;
  const historyTokens = options.turns * (estimateTextTokens(userText(0)) + estimateTextTokens(REPLY_TEXT));
  const contextMaximumSize = historyTokens + estimateTextTokens(userText(0));
  const { aiGatewayId: agentId } = await request<{ aiGatewayId: string }>(pool, 'POST', '/api/v1/ai-gateways', headers, {
    name: 'bench agent',
    parameters: { baseAddress: '', modelName: '@openai/bench-model', contextMaximumSize },
  });
  const base = `/tenants/${orgId}/api/v2/agents/${agentId}/conversations`;
  const conversationIds: string[] = [];
  for (let i = 0; i < options.conversations; i += 1) {
    conversationIds.push((await request<{ id: string }>(pool, 'POST', base, headers, { name: `bench ${i}` })).id);
  }
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < conversationIds.length; index = next++) {
      for (let turn = 0; turn < options.turns; turn += 1) {
        const state = await request<PostedState>(pool, 'POST', `${base}/${conversationIds[index]}/messages`, headers, { content: userText(turn) });
        if (state.messages[1]?.status !== 'completed' || state.messages[1].content !== REPLY_TEXT) {
          throw new Error(`fill: unexpected turn ${JSON.stringify(state.messages[1]).slice(0, 300)}`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { orgId, agentId, conversationIds, contextMaximumSize, fillMs: performance.now() - started };
}

export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

export interface GatewayBodies {
  /** The filled conversation's messages, as stored. */
  readonly history: ChatMessage[];
  /** `history` and one new user message. */
  readonly messages: ChatMessage[];
  readonly json: string;
  readonly stream: string;
}

/** The gateway's request bodies: a filled conversation's 40 messages (as stored) and one new user message. */
export async function gatewayBodies(pool: Pool, headers: Record<string, string>, setup: AgentConversations): Promise<GatewayBodies> {
  const page = await request<{ data: ChatMessage[] }>(
    pool,
    'GET',
    `/tenants/${setup.orgId}/api/v2/agents/${setup.agentId}/conversations/${setup.conversationIds[0]}/messages?limit=200`,
    headers,
  );
  const history = page.data.map(({ role, content }) => ({ role, content }));
  const messages = [...history, { role: 'user', content: userText(999) }];
  return {
    history,
    messages,
    json: JSON.stringify({ model: setup.agentId, messages }),
    // What the agent runtime asks of the gateway for a turn.
    stream: JSON.stringify({ model: setup.agentId, messages, stream: true, stream_options: { include_usage: true } }),
  };
}

const figure = (values: readonly number[]) =>
  `p50 ${percentile(values, 50).toFixed(3)} ms, p90 ${percentile(values, 90).toFixed(3)} ms, p99 ${percentile(values, 99).toFixed(3)} ms`;

type Senders = Record<TargetName, () => Promise<Timed>>;

/** Every path answers what it should, and a request one turn over the agent's context budget is refused. */
async function probe(client: Client, headers: Record<string, string>, agentId: string, bodies: GatewayBodies, send: Senders): Promise<void> {
  const overflow = await client.request({
    path: '/v1/chat/completions',
    method: 'POST',
    headers,
    body: JSON.stringify({ model: agentId, messages: [...bodies.history.slice(0, 2), ...bodies.messages] }),
  });
  await overflow.body.dump();
  if (overflow.statusCode !== 400) throw new Error(`${bodies.messages.length + 2} messages over contextMaximumSize answered ${overflow.statusCode}, not 400`);
  const agent = JSON.parse((await send.agent()).body) as PostedState;
  if (agent.messages[1]?.content !== REPLY_TEXT) throw new Error(`agent: unexpected reply ${JSON.stringify(agent).slice(0, 300)}`);
  const gateway = JSON.parse((await send.gateway()).body) as { choices?: Array<{ message?: { content?: string } }> };
  if (gateway.choices?.[0]?.message?.content !== COMPLETION_TEXT) throw new Error(`gateway: unexpected reply ${JSON.stringify(gateway).slice(0, 300)}`);
  const stream = await send['gateway-stream']();
  if (!stream.contentType.includes('text/event-stream') || !stream.body.includes('[DONE]')) throw new Error('gateway-stream: not a finished event stream');
}

interface Measured {
  readonly samples: Record<TargetName, number[]>;
  /** Server CPU during each target's batches, ms. */
  readonly cpuMs: Record<TargetName, number>;
  readonly seconds: number;
}

/** Rounds that rotate over the targets, so a change in the machine's load hits all of them alike. */
async function measureRounds(send: Senders, serverPid: number, rounds: number, batch: number): Promise<Measured> {
  const samples: Record<TargetName, number[]> = { agent: [], gateway: [], 'gateway-stream': [] };
  const cpuMs: Record<TargetName, number> = { agent: 0, gateway: 0, 'gateway-stream': 0 };
  const started = performance.now();
  for (let round = 0; round < rounds; round += 1) {
    for (let t = 0; t < TARGETS.length; t += 1) {
      const name = TARGETS[(t + round) % TARGETS.length]!;
      const cpuBefore = await readProcCpuMs(serverPid);
      for (let i = 0; i < batch; i += 1) samples[name].push((await send[name]()).ms);
      cpuMs[name] += (await readProcCpuMs(serverPid)) - cpuBefore;
    }
  }
  return { samples, cpuMs, seconds: (performance.now() - started) / 1000 };
}

async function measureTurns(options: AgentTurnOptions): Promise<BenchResult> {
  const conversations = options.conversations ?? 80;
  const turns = options.historyTurns ?? 20;
  const concurrency = options.fillConcurrency ?? 4;
  const warmup = options.warmup ?? 200;
  const rounds = options.rounds ?? 6;
  const batch = options.batch ?? 200;
  const loadBefore = machineLoad();
  const helpers: HelperProcess[] = [];
  try {
    const upstream = await startHelperProcess('fixed-upstream.ts');
    helpers.push(upstream);
    return await withServer({ ...options, env: { ...options.env, OPENAI_BASE_URL: `${upstream.url}/v1`, OPENAI_API_KEY: 'bench' } }, async (server) => {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}` };
      const pool = new Pool(server.url, { connections: concurrency });
      const client = new Client(server.url, { pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
      try {
        const setup = await fillConversations(pool, headers, { conversations, turns, concurrency });
        const bodies = await gatewayBodies(pool, headers, setup);
        if (bodies.history.length !== 2 * turns) throw new Error(`expected ${2 * turns} stored messages, found ${bodies.history.length}`);
        const conversationsBase = `/tenants/${setup.orgId}/api/v2/agents/${setup.agentId}/conversations`;
        let posted = 0;
        const send: Senders = {
          agent: () => {
            const cid = setup.conversationIds[posted % conversations]!;
            const body = JSON.stringify({ content: userText(turns + posted) });
            posted += 1;
            return timedPost(client, `${conversationsBase}/${cid}/messages`, headers, body);
          },
          gateway: () => timedPost(client, '/v1/chat/completions', headers, bodies.json),
          'gateway-stream': () => timedPost(client, '/v1/chat/completions', headers, bodies.stream),
        };
        await probe(client, headers, setup.agentId, bodies, send);
        for (const name of TARGETS) for (let i = 0; i < warmup; i += 1) await send[name]();
        const { samples, cpuMs, seconds } = await measureRounds(send, server.pid, rounds, batch);

        const p50 = (name: TargetName) => percentile(samples[name], 50);
        const cpuPerRequest = (name: TargetName) => ((cpuMs[name] * 1000) / samples[name].length).toFixed(0);
        const info = [
          `agent-turn: machine before: ${loadBefore}`,
          `agent-turn: server pid ${server.pid} (LOG_LEVEL=${server.logLevel}), fixed upstream pid ${upstream.pid}; agent = @openai/bench-model with contextMaximumSize ${setup.contextMaximumSize} (= ${turns} turns of ${USER_MESSAGE_CHARACTERS}-character questions and ${REPLY_TEXT.length}-character replies + the new question)`,
          `agent-turn: ${conversations} conversations filled with ${turns} turns each (${conversations * turns} posts, ${(setup.fillMs / 1000).toFixed(1)} s); the posts rotate over them, which grow to at most ${turns + Math.ceil(posted / conversations)} turns, each turn sending the ${2 * turns} newest messages + 1`,
          `agent-turn: 1 connection, ${warmup} warm-up + ${rounds} rounds x ${batch} requests per target in ${seconds.toFixed(1)} s`,
          ...TARGETS.map((name) => `agent-turn: ${name.padEnd(14)} ${figure(samples[name])}; server CPU ${cpuPerRequest(name)} µs/request`),
          `agent-turn: p50 agent - gateway ${(p50('agent') - p50('gateway')).toFixed(3)} ms; agent - gateway-stream ${(p50('agent') - p50('gateway-stream')).toFixed(3)} ms; gateway-stream - gateway ${(p50('gateway-stream') - p50('gateway')).toFixed(3)} ms`,
          `agent-turn: machine after: ${machineLoad()}`,
        ];
        const checks: Check[] = [check('agent-turn p50 agent - gateway', p50('agent') - p50('gateway'), 'ms', '<=', AGENT_TURN_BUDGET.p50OverGatewayMs, 3)];
        return { name: 'agent-turn', info, checks };
      } finally {
        await Promise.all([client.destroy(), pool.destroy()]);
      }
    });
  } finally {
    await Promise.all(helpers.map((helper) => helper.stop()));
  }
}

export async function runAgentTurn(options: AgentTurnOptions = {}): Promise<BenchResult> {
  const turns = await measureTurns(options);
  const window = options.skipHistoryWindow ? { info: [], checks: [] } : await runHistoryWindowLoad();
  return { name: 'agent-turn', info: [...turns.info, ...window.info], checks: [...turns.checks, ...window.checks] };
}

if (isMain(import.meta.url)) await runStandalone(() => runAgentTurn());
