/**
 * Where Agentry's time goes on POST /v1/chat/completions: runs `node
 * --cpu-prof dist/main.js` against the fixed upstream (bench/fixed-upstream.ts),
 * loads it with autocannon (50 connections; json, then stream), stops it so
 * the profile is written, and prints self time by package and by function.
 *
 *   npm run build && node --import tsx bench/inference-profile.ts [json|stream|both] [seconds per mode] [agentry|floor]
 *
 * `floor` profiles bench/floor-proxy.ts instead, for comparison.
 *
 * The .cpuprofile is kept (its path is printed) for Chrome DevTools or speedscope.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { UPSTREAM_MODEL } from './fixed-upstream.js';
import { isMain, machineLoad, readProcCpuMs, repoRoot, startHelperProcess, startServer } from './support.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** node_modules/<package> (with scope), Agentry's own dist/ files, node's internals, or V8's pseudo-frames. */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  if (url.startsWith('node:')) return 'node: (core)';
  const dist = url.indexOf('/dist/');
  if (dist !== -1) {
    const rest = url.slice(dist + '/dist/'.length);
    const parts = rest.split('/');
    return `agentry ${parts.length > 2 ? parts.slice(0, 2).join('/') : parts[0]}`;
  }
  return url;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return url.slice(dist + 1);
  return url;
}

export interface ProfileSummary {
  /** Busy time on the main thread (idle excluded). */
  readonly totalMs: number;
  readonly idleMs: number;
  readonly byPackage: ReadonlyArray<[string, number]>;
  readonly byFunction: ReadonlyArray<[string, number]>;
}

export function summarize(profile: CpuProfile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  for (let index = 0; index < profile.samples.length; index += 1) {
    const id = profile.samples[index]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  }
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    totalUs += us;
    const pkg = packageOf(frame.url, frame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const name = `${frame.functionName || '(anonymous)'} ${frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const sorted = (map: Map<string, number>) => [...map].map(([key, us]) => [key, us / 1000] as [string, number]).sort((a, b) => b[1] - a[1]);
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, byPackage: sorted(byPackage), byFunction: sorted(byFunction) };
}

export function printSummary(summary: ProfileSummary, top = 40): void {
  const share = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(1).padStart(5)}%`;
  console.log(`profile: ${summary.totalMs.toFixed(0)} ms busy on the main thread (plus ${summary.idleMs.toFixed(0)} ms idle); shares are of the busy time`);
  console.log('profile: self time by package');
  for (const [name, ms] of summary.byPackage.slice(0, 25)) console.log(`  ${share(ms)} ${ms.toFixed(0).padStart(7)} ms  ${name}`);
  console.log(`profile: self time by function (top ${top})`);
  for (const [name, ms] of summary.byFunction.slice(0, top)) console.log(`  ${share(ms)} ${ms.toFixed(0).padStart(7)} ms  ${name}`);
}

async function main(): Promise<void> {
  const which = process.argv[2] ?? 'both';
  if (!['json', 'stream', 'both'].includes(which)) throw new Error('mode must be json, stream or both');
  const seconds = Number(process.argv[3] ?? 10);
  if (!(seconds > 0 && seconds <= 120)) throw new Error('seconds must be in (0, 120]');
  const modes = which === 'both' ? ['json', 'stream'] : [which];
  const target = process.argv[4] ?? 'agentry';
  if (target !== 'agentry' && target !== 'floor') throw new Error('target must be agentry or floor');

  const profileDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'agentry-inference-profile-'));
  const upstream = await startHelperProcess('fixed-upstream.ts');
  try {
    const profileArgs = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
    const server =
      target === 'agentry'
        ? await startServer({ env: { OPENAI_BASE_URL: `${upstream.url}/v1`, OPENAI_API_KEY: 'bench' }, nodeArgs: profileArgs })
        : { ...(await startHelperProcess('floor-proxy.ts', [upstream.url], { nodeArgs: profileArgs })), adminKey: 'unused' };
    let requests = 0;
    let cpuMs = 0;
    try {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}` };
      for (const mode of modes) {
        const body = JSON.stringify({
          model: `@openai/${UPSTREAM_MODEL}`,
          messages: [
            { role: 'system', content: 'You answer in one sentence.' },
            { role: 'user', content: 'Say hello to the benchmark.' },
          ],
          ...(mode === 'stream' ? { stream: true } : {}),
        });
        const before = await readProcCpuMs(server.pid);
        const result = await autocannon({ url: `${server.url}/v1/chat/completions`, method: 'POST', body, headers, connections: 50, duration: seconds, timeout: 10 });
        const used = (await readProcCpuMs(server.pid)) - before;
        cpuMs += used;
        requests += result.requests.total;
        console.log(
          `profile: ${target} ${mode}: ${result.requests.total} requests in ${result.duration} s (${(result.requests.total / result.duration).toFixed(0)} req/s), non-2xx ${result.non2xx}, errors ${result.errors}; ${target} CPU ${((used * 1000) / result.requests.total).toFixed(0)} µs/request`,
        );
      }
    } finally {
      await server.stop();
    }
    // One file per thread (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile); thread 0 is the main thread.
    const files = (await fsp.readdir(profileDir)).filter((file) => file.endsWith('.cpuprofile')).sort();
    const main = files.find((file) => /\.0\.\d+\.cpuprofile$/.test(file)) ?? files[0];
    if (!main) throw new Error(`no .cpuprofile in ${profileDir}`);
    const file = path.join(profileDir, main);
    const summary = summarize(JSON.parse(await fsp.readFile(file, 'utf8')) as CpuProfile);
    console.log(`profile: ${file} (${requests} requests under load, ${((cpuMs * 1000) / requests).toFixed(0)} µs CPU/request; ${machineLoad()})`);
    console.log(`profile: repo ${repoRoot}`);
    printSummary(summary);
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
