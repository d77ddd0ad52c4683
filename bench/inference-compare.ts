/**
 * Two or more builds of Agentry beside the floor (bench/floor-proxy.ts) under
 * the same load, for judging a change to the gateway's hot path by time. On
 * this kind of machine one build's figures in bench/inference.ts move by
 * ±15 % from run to run, and a process (the floor too) now and then settles
 * in a slower mode; runs of two builds minutes apart cannot be compared.
 * Here every build runs at once, each in its own process on its own data
 * directory, and the measured slices rotate over them and the floor, so a
 * change in the machine's speed hits all alike.
 *
 * Printed per target: throughput and its share of the floor's, CPU per
 * request (main thread, and the process in all) with the multiple of the
 * floor's, the main thread's system time, page faults and involuntary
 * context switches per request.
 *
 *   node --import tsx bench/inference-compare.ts json|stream <entry> [<entry> …]
 *
 * An entry is a built `main.js` (for example a `git worktree` of the other
 * commit, built with `npm run build` there), optionally followed by `|` and
 * node flags added after the start script's: `dist/main.js|--max-semi-space-size=8`.
 * ROUNDS (default 6) rotations of SLICE (default 2) seconds each per target,
 * after a 3-second warm-up of each.
 */
import fsp from 'node:fs/promises';
import autocannon from 'autocannon';
import { AGENTRY_MODEL, requestBody, startUpstreamAndFloor } from './inference.js';
import { type BenchServer, type HelperProcess, readMainThreadCpuMs, readProcCpuMs, startServer } from './support.js';

const CONNECTIONS = 50;
const WARM_UP_SECONDS = 3;

interface Target {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  readonly authorization: string;
}

interface Totals {
  requests: number;
  seconds: number;
  mainCpuMs: number;
  processCpuMs: number;
  mainSystemMs: number;
  faults: number;
  involuntarySwitches: number;
}

/** The main thread's system time (ms) and page faults (minor + major), from /proc/<pid>/task/<pid>/stat. */
async function mainThreadStat(pid: number): Promise<{ systemMs: number; faults: number }> {
  const stat = await fsp.readFile(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  // The fields after the command name's closing parenthesis are fixed: minflt is the 8th, majflt the 10th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;
  return { systemMs: (Number(fields[12]) * 1000) / ticksPerSecond, faults: Number(fields[7]) + Number(fields[9]) };
}

async function involuntarySwitches(pid: number): Promise<number> {
  const status = await fsp.readFile(`/proc/${pid}/task/${pid}/status`, 'utf8');
  return Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
}

async function sample(pid: number) {
  const [mainCpuMs, processCpuMs, stat, switches] = await Promise.all([readMainThreadCpuMs(pid), readProcCpuMs(pid), mainThreadStat(pid), involuntarySwitches(pid)]);
  return { mainCpuMs, processCpuMs, mainSystemMs: stat.systemMs, faults: stat.faults, involuntarySwitches: switches };
}

function load(target: Target, body: string, seconds: number) {
  return autocannon({
    url: `${target.url}/v1/chat/completions`,
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', authorization: target.authorization },
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
  });
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const entries = process.argv.slice(3);
  if ((mode !== 'json' && mode !== 'stream') || entries.length === 0) {
    console.error('usage: node --import tsx bench/inference-compare.ts json|stream <entry> [<entry> …]');
    process.exitCode = 1;
    return;
  }
  const rounds = Number(process.env.ROUNDS ?? 6);
  const sliceSeconds = Number(process.env.SLICE ?? 2);
  const body = requestBody(AGENTRY_MODEL, mode === 'stream');

  const helpers: HelperProcess[] = [];
  const servers: BenchServer[] = [];
  try {
    const { upstream, floor } = await startUpstreamAndFloor(helpers);
    const builds: Target[] = [];
    for (const spec of entries) {
      const [entry, flags] = spec.split('|') as [string, string | undefined];
      const server = await startServer({
        entry,
        nodeArgs: flags ? flags.split(' ').filter(Boolean) : [],
        env: { OPENAI_BASE_URL: `${upstream.url}/v1`, OPENAI_API_KEY: 'bench' },
      });
      servers.push(server);
      builds.push({ name: spec, url: server.url, pid: server.pid, authorization: `Bearer ${server.adminKey}` });
    }
    // The floor reads no key; it gets one of the same length, so every target is sent the same number of bytes.
    const targets: Target[] = [{ name: 'floor', url: floor.url, pid: floor.pid, authorization: builds[0]!.authorization }, ...builds];

    for (const target of targets) {
      const warmUp = await load(target, body, WARM_UP_SECONDS);
      if (warmUp.non2xx + warmUp.errors > 0) throw new Error(`${target.name}: ${warmUp.non2xx} non-2xx and ${warmUp.errors} errors while warming up`);
    }
    const totals: Totals[] = targets.map(() => ({ requests: 0, seconds: 0, mainCpuMs: 0, processCpuMs: 0, mainSystemMs: 0, faults: 0, involuntarySwitches: 0 }));
    for (let round = 0; round < rounds; round += 1) {
      for (let turn = 0; turn < targets.length; turn += 1) {
        const index = (turn + round) % targets.length;
        const target = targets[index]!;
        const before = await sample(target.pid);
        const result = await load(target, body, sliceSeconds);
        const after = await sample(target.pid);
        if (result.non2xx + result.errors + result.timeouts > 0) throw new Error(`${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        const total = totals[index]!;
        total.requests += result.requests.total;
        total.seconds += result.duration;
        total.mainCpuMs += after.mainCpuMs - before.mainCpuMs;
        total.processCpuMs += after.processCpuMs - before.processCpuMs;
        total.mainSystemMs += after.mainSystemMs - before.mainSystemMs;
        total.faults += after.faults - before.faults;
        total.involuntarySwitches += after.involuntarySwitches - before.involuntarySwitches;
      }
    }

    const floorTotals = totals[0]!;
    const perRequestUs = (ms: number, total: Totals) => (ms * 1000) / total.requests;
    for (let index = 0; index < targets.length; index += 1) {
      const total = totals[index]!;
      const rate = total.requests / total.seconds;
      const share = (100 * rate) / (floorTotals.requests / floorTotals.seconds);
      const mainUs = perRequestUs(total.mainCpuMs, total);
      const processUs = perRequestUs(total.processCpuMs, total);
      console.log(
        [
          `inference-compare: ${mode} ${targets[index]!.name}:`,
          `${rate.toFixed(0)} req/s (${share.toFixed(1)} % of the floor's);`,
          `CPU per request: main thread ${mainUs.toFixed(1)} µs (${(mainUs / perRequestUs(floorTotals.mainCpuMs, floorTotals)).toFixed(2)} x),`,
          `process ${processUs.toFixed(1)} µs (${(processUs / perRequestUs(floorTotals.processCpuMs, floorTotals)).toFixed(2)} x);`,
          `main thread system time ${perRequestUs(total.mainSystemMs, total).toFixed(1)} µs,`,
          `page faults ${(total.faults / total.requests).toFixed(3)}, involuntary switches ${(total.involuntarySwitches / total.requests).toFixed(3)} per request`,
        ].join(' '),
      );
    }
  } finally {
    for (const server of servers) await server.stop();
    for (const helper of helpers.reverse()) await helper.stop();
  }
}

await main();
