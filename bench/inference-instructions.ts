/**
 * Instructions per request on POST /v1/chat/completions, Agentry beside the
 * floor (bench/floor-proxy.ts), counted by valgrind's callgrind rather than
 * timed. On this kind of machine the same build's CPU per request moves by
 * ±15 % from one run of bench/inference.ts to the next; instruction counts
 * move by about 1 %, so they show what a change to the hot path is worth.
 * They are not time: a cache miss or a system call counts as little.
 *
 * Each server runs under callgrind with instrumentation off while it starts
 * and warms up (4,000 requests), then on for the measured requests, one
 * output per thread (--separate-threads). Printed per request:
 *
 *   main thread          what limits throughput at 50 connections
 *   all threads          what the CPU budget counts, less V8's optimizing compiler
 *                        (its work depends on when tiering happens, not on the request)
 *
 * Agentry runs with AGENTRY_WORKERS=false: its once-a-second job poll would
 * otherwise count for a request's worth every 40 requests, under valgrind's
 * slowdown. The fixed upstream and the load generator run natively.
 *
 * Needs valgrind (Debian: apt-get install -y valgrind). About 6 minutes.
 *
 *   npm run build && node --import tsx bench/inference-instructions.ts [json|stream] [requests]
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { AGENTRY_MODEL, requestBody } from './inference.js';
import { LOOPBACK, benchAdminKey, findFreePort, makeTempDataDir, repoRoot, serverEntry, startHelperProcess, startScriptNodeArgs } from './support.js';

const run = promisify(execFile);
const WARM_UP_REQUESTS = 4_000;
const CONNECTIONS = 4;
const READY_TIMEOUT_MS = 240_000;

/**
 * valgrind names the FIFO through which callgrind_control reaches it after
 * $USER/$LOGNAME and $HOST, and falls back to `???` when they are unset;
 * both sides must see the same values. Agentry reads HOST as the address to
 * listen on, hence loopback.
 */
const VGDB_ENVIRONMENT = { USER: 'bench', LOGNAME: 'bench', HOST: LOOPBACK };

interface Counted {
  readonly requests: number;
  readonly mainThread: number;
  readonly allThreads: number;
}

/** Self cost per function of one callgrind output, and its total less V8's optimizing compiler. */
function instructionsOf(file: string): { total: number; withoutCompiler: number } {
  const names = new Map<string, string>();
  let current = '';
  let skipNext = false;
  let total = 0;
  let compiler = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const named = /^(c?fn)=\((\d+)\)(?: (.*))?$/.exec(line);
    if (named) {
      if (named[3] !== undefined) names.set(named[2]!, named[3]);
      if (named[1] === 'fn') current = named[2]!;
      continue;
    }
    if (line.startsWith('calls=')) {
      // The next cost line is the call's inclusive cost, counted in the callee's own lines.
      skipNext = true;
      continue;
    }
    if (!/^[+*-]?\d/.test(line)) continue;
    if (skipNext) {
      skipNext = false;
      continue;
    }
    const cost = Number(line.trim().split(/\s+/).at(-1));
    if (!Number.isFinite(cost)) continue;
    total += cost;
    if ((names.get(current) ?? '').includes('v8::internal::compiler::')) compiler += cost;
  }
  return { total, withoutCompiler: total - compiler };
}

async function waitForListening(child: ChildProcess, url: string | undefined): Promise<string> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  if (url === undefined) {
    // The floor prints `listening <port>` once it is up.
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the floor did not start under valgrind')), READY_TIMEOUT_MS);
      child.stdout!.on('data', (data: Buffer) => {
        const port = /listening (\d+)/.exec(data.toString())?.[1];
        if (port) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${port}`);
        }
      });
    });
  }
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return url;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('Agentry did not become ready under valgrind');
}

async function count(target: 'floor' | 'agentry', upstreamUrl: string, body: string, requests: number): Promise<Counted> {
  const dataDir = await makeTempDataDir();
  const adminKey = benchAdminKey();
  const port = await findFreePort();
  const callgrindOut = path.join(dataDir.path, 'callgrind.out');
  const program =
    target === 'floor'
      ? [...startScriptNodeArgs(), '--import', 'tsx', path.join(repoRoot, 'bench', 'floor-proxy.ts'), upstreamUrl]
      : [...startScriptNodeArgs(), serverEntry];
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', '--vgdb=yes', '--smc-check=all-non-file', `--callgrind-out-file=${callgrindOut}`, process.execPath, ...program],
    {
      cwd: target === 'floor' ? repoRoot : dataDir.path,
      env: {
        ...process.env,
        ...VGDB_ENVIRONMENT,
        PORT: String(port),
        AGENTRY_DATA_DIR: dataDir.path,
        AGENTRY_ADMIN_KEY: adminKey,
        AGENTRY_WORKERS: 'false',
        OPENAI_BASE_URL: `${upstreamUrl}/v1`,
        OPENAI_API_KEY: 'bench',
        LOG_LEVEL: 'info',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    },
  );
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${target} exited (code ${code}) under valgrind`))));
  exited.catch(() => {});
  try {
    const url = await Promise.race([waitForListening(child, target === 'floor' ? undefined : `http://${LOOPBACK}:${port}`), exited]);
    if (target === 'agentry') child.stdout!.resume();
    const load = (amount: number) =>
      autocannon({
        url: `${url}/v1/chat/completions`,
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
        connections: CONNECTIONS,
        amount,
        timeout: 60,
      });
    const warmUp = await load(WARM_UP_REQUESTS);
    if (warmUp.non2xx + warmUp.errors > 0) throw new Error(`${target}: ${warmUp.non2xx} non-2xx and ${warmUp.errors} errors while warming up`);
    const control = (state: 'on' | 'off') => run('callgrind_control', ['-i', state, String(child.pid)], { env: { ...process.env, ...VGDB_ENVIRONMENT } });
    await control('on');
    const measured = await load(requests);
    await control('off');
    if (measured.non2xx + measured.errors > 0) throw new Error(`${target}: ${measured.non2xx} non-2xx and ${measured.errors} errors`);
    child.kill('SIGTERM');
    await exited.catch(() => {});
    const outputs = (await fsp.readdir(dataDir.path)).filter((name) => name.startsWith('callgrind.out-')).sort();
    let mainThread = 0;
    let allThreads = 0;
    for (const name of outputs) {
      const counted = instructionsOf(path.join(dataDir.path, name));
      allThreads += counted.withoutCompiler;
      if (name.endsWith('-01')) mainThread = counted.withoutCompiler;
    }
    return { requests: measured.requests.total, mainThread, allThreads };
  } finally {
    child.kill('SIGKILL');
    await dataDir.remove();
  }
}

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'json';
  if (mode !== 'json' && mode !== 'stream') throw new Error('mode must be json or stream');
  const requests = Number(process.argv[3] ?? 3_000);
  try {
    await run('valgrind', ['--version']);
  } catch {
    console.error('inference-instructions: valgrind is not installed (Debian: apt-get install -y valgrind)');
    process.exitCode = 1;
    return;
  }
  const upstream = await startHelperProcess('fixed-upstream.ts');
  try {
    // The same bytes to both: the floor strips the connection prefix from the model as Agentry does.
    const body = requestBody(AGENTRY_MODEL, mode === 'stream');
    const counted: Record<'floor' | 'agentry', Counted> = {
      floor: await count('floor', upstream.url, body, requests),
      agentry: await count('agentry', upstream.url, body, requests),
    };
    const perRequest = (value: number, target: 'floor' | 'agentry') => value / counted[target].requests / 1000;
    for (const target of ['floor', 'agentry'] as const) {
      console.log(
        `inference-instructions: ${mode} ${target}: ${counted[target].requests} requests; per request ${perRequest(counted[target].mainThread, target).toFixed(1)}k instructions on the main thread, ${perRequest(counted[target].allThreads, target).toFixed(1)}k on all threads (without the optimizing compiler)`,
      );
    }
    const ratio = (field: 'mainThread' | 'allThreads') => perRequest(counted.agentry[field], 'agentry') / perRequest(counted.floor[field], 'floor');
    console.log(`inference-instructions: ${mode} agentry/floor: main thread ${ratio('mainThread').toFixed(2)} x, all threads ${ratio('allThreads').toFixed(2)} x`);
  } finally {
    await upstream.stop();
  }
}

await main();
