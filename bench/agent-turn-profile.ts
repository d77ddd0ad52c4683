/**
 * Where Agentry's time goes on a conversation turn (bench/agent-turn.ts's
 * agent path): runs `node --cpu-prof dist/main.js` against the fixed
 * upstream, fills a pool of conversations with 20 turns each, then posts
 * turns to them one at a time (or, with `gateway`, sends the same 41 messages
 * to POST /v1/chat/completions, streamed as a turn asks for them), stops the
 * server so the profile is written, and prints self time by package and by
 * function. The fill (40 x 20 turns for `agent`, 1 x 20 for `gateway`) is in
 * the profile too; for `agent` it is the same work.
 *
 *   npm run build && node --import tsx bench/agent-turn-profile.ts [agent|gateway] [requests]
 *
 * The .cpuprofile is kept (its path is printed) for Chrome DevTools or speedscope.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Pool } from 'undici';
import { fillConversations, gatewayBodies, timedPost, userText } from './agent-turn.js';
import { printSummary, summarize } from './inference-profile.js';
import { isMain, machineLoad, percentile, readProcCpuMs, startHelperProcess, startServer } from './support.js';

const TURNS = 20;

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'agent';
  if (mode !== 'agent' && mode !== 'gateway') throw new Error('mode must be agent or gateway');
  const requests = Number(process.argv[3] ?? 2_000);
  if (!(requests > 0 && requests <= 50_000)) throw new Error('requests must be in (0, 50000]');

  // The gateway needs only one filled conversation, for the body; the agent's posts rotate over 40.
  const conversations = mode === 'agent' ? 40 : 1;
  const profileDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'agentry-agent-turn-profile-'));
  const upstream = await startHelperProcess('fixed-upstream.ts');
  try {
    const server = await startServer({
      env: { OPENAI_BASE_URL: `${upstream.url}/v1`, OPENAI_API_KEY: 'bench' },
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}` };
    const pool = new Pool(server.url, { connections: 4 });
    const client = new Client(server.url, { pipelining: 1 });
    try {
      const setup = await fillConversations(pool, headers, { conversations, turns: TURNS, concurrency: 4 });
      const bodies = await gatewayBodies(pool, headers, setup);
      const base = `/tenants/${setup.orgId}/api/v2/agents/${setup.agentId}/conversations`;
      const cpuBefore = await readProcCpuMs(server.pid);
      const samples: number[] = [];
      for (let i = 0; i < requests; i += 1) {
        const timed =
          mode === 'agent'
            ? await timedPost(client, `${base}/${setup.conversationIds[i % conversations]}/messages`, headers, JSON.stringify({ content: userText(TURNS + i) }))
            : await timedPost(client, '/v1/chat/completions', headers, bodies.stream);
        samples.push(timed.ms);
      }
      const cpuMs = (await readProcCpuMs(server.pid)) - cpuBefore;
      console.log(
        `profile: ${mode}: ${requests} requests at 1 connection after a fill of ${conversations} x ${TURNS} turns; p50 ${percentile(samples, 50).toFixed(3)} ms, p99 ${percentile(samples, 99).toFixed(3)} ms; server CPU ${((cpuMs * 1000) / requests).toFixed(0)} µs/request`,
      );
    } finally {
      await Promise.all([client.destroy(), pool.destroy()]);
      await server.stop();
    }
    const files = (await fsp.readdir(profileDir)).filter((file) => file.endsWith('.cpuprofile')).sort();
    const mainThread = files.find((file) => /\.0\.\d+\.cpuprofile$/.test(file)) ?? files[0];
    if (!mainThread) throw new Error(`no .cpuprofile in ${profileDir}`);
    const file = path.join(profileDir, mainThread);
    console.log(`profile: ${file} (${machineLoad()})`);
    printSummary(summarize(JSON.parse(await fsp.readFile(file, 'utf8')) as Parameters<typeof summarize>[0]));
  } finally {
    await upstream.stop();
  }
}

if (isMain(import.meta.url)) {
  try {
    await main();
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 2;
  }
}
