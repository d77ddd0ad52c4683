/**
 * Shared helpers for the benchmarks: a throw-away data directory, the real
 * server (`node dist/main.js`) as a child process on a free local port, a
 * readiness wait, a clean stop, and the PASS/FAIL lines every script prints.
 *
 * Everything stays on 127.0.0.1, every wait is bounded, and whatever is
 * started here is stopped and removed again, also when a benchmark throws or
 * the run is interrupted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** `dist/main.js` of this checkout, or BENCH_SERVER_ENTRY (e.g. another build to compare with). */
export const serverEntry = process.env.BENCH_SERVER_ENTRY ? path.resolve(process.env.BENCH_SERVER_ENTRY) : path.join(repoRoot, 'dist', 'main.js');
export const LOOPBACK = '127.0.0.1';

/**
 * The node flags of package.json's start script (`node <flags> dist/main.js`),
 * so that benchmarks run the server as `npm start` does.
 */
export function startScriptNodeArgs(): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const match = /\bnode((?:\s+--\S+)*)\s+dist\/main\.js\b/.exec(manifest.scripts?.start ?? '');
  if (!match) throw new Error('package.json\'s start script does not run `node [flags] dist/main.js`');
  return match[1]!.trim().split(/\s+/).filter(Boolean);
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The server's LOG_LEVEL: the bench's own `LOG_LEVEL` if set (e.g. `LOG_LEVEL=warn npm run bench`), else `info`. */
export function defaultLogLevel(): LogLevel {
  const level = process.env.LOG_LEVEL;
  if (!level) return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return level as LogLevel;
}

/**
 * Where the server's stdout (its JSON log) goes. `devnull` (default): the
 * server still builds and writes every line, the kernel throws it away.
 * `pipe`: the bench process reads and discards it, as a log shipper would
 * (this costs the bench process CPU too). Set with BENCH_SERVER_OUTPUT.
 */
export type ServerOutput = 'devnull' | 'pipe';

export function defaultServerOutput(): ServerOutput {
  const output = process.env.BENCH_SERVER_OUTPUT;
  if (!output || output === 'devnull') return 'devnull';
  if (output === 'pipe') return 'pipe';
  throw new Error('BENCH_SERVER_OUTPUT must be devnull or pipe');
}

// ---------------------------------------------------------------------------
// Cleanup of everything started here, even on failure or Ctrl-C.

const liveChildren = new Set<ChildProcess>();
const liveDirectories = new Set<string>();

process.once('exit', () => {
  for (const child of liveChildren) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const directory of liveDirectories) fs.rmSync(directory, { recursive: true, force: true });
});
for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15]] as const) {
  // process.exit runs the 'exit' handler above.
  process.once(signal, () => process.exit(128 + number));
}

// ---------------------------------------------------------------------------
// Data directories

export interface TempDirectory {
  readonly path: string;
  remove(): Promise<void>;
}

export async function makeTempDataDir(): Promise<TempDirectory> {
  const directory = await fsp.mkdtemp(path.join(os.tmpdir(), 'agentry-bench-'));
  liveDirectories.add(directory);
  return {
    path: directory,
    async remove() {
      await fsp.rm(directory, { recursive: true, force: true });
      liveDirectories.delete(directory);
    },
  };
}

export function benchAdminKey(): string {
  return `sk-bench-${randomBytes(24).toString('hex')}`;
}

/** A port that was free a moment ago: listen on port 0, note the port, close. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: LOOPBACK }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------
// HTTP

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

/** One request to the server on 127.0.0.1, without keep-alive, bounded by `timeoutMs`. */
export function httpRequest(
  port: number,
  requestPath: string,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: LOOPBACK, port, path: requestPath, headers: options.headers ?? {}, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.setTimeout(options.timeoutMs ?? 2_000, () => request.destroy(new Error(`GET ${requestPath} timed out`)));
    request.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------
// The server process

export interface StartOptions {
  /** An existing data directory (for a start on an existing database); a new temporary one when absent. */
  readonly dataDir?: string;
  readonly adminKey?: string;
  readonly logLevel?: LogLevel;
  readonly output?: ServerOutput;
  /** Extra environment for the server, e.g. `{ AGENTRY_WORKERS: 'false' }`. */
  readonly env?: Record<string, string>;
  /** Node flags after those of the start script, e.g. `['--cpu-prof', '--cpu-prof-dir=/tmp/prof']`. */
  readonly nodeArgs?: readonly string[];
  /** Give up waiting for /readyz after this long. */
  readonly readyTimeoutMs?: number;
  /** The server's entry script, when not `serverEntry` (to compare two builds in one run). */
  readonly entry?: string;
}

export interface BenchServer {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  readonly adminKey: string;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  /** From spawn to the first 200 of /readyz, in milliseconds. */
  readonly readyAfterMs: number;
  /** Number of /readyz polls it took. */
  readonly readyPolls: number;
  /** SIGTERM, wait for the exit (SIGKILL after `timeoutMs`); removes the data directory if this server created it. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Variables of the bench's own environment that must not reach the server (they would change what is measured). */
const SERVER_SETTINGS = /^(AGENTRY_|DATABASE_URL$|PORT$|HOST$|LOG_LEVEL$|NODE_OPTIONS$)/;

function serverEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SERVER_SETTINGS.test(name)));
  return { ...inherited, ...overrides };
}

const STDERR_TAIL_BYTES = 8_192;
const READY_POLL_INTERVAL_MS = 5;

/**
 * Spawns `node dist/main.js` with its own data directory, admin key and port,
 * and resolves once /readyz answers 200. Rejects (after killing the process)
 * if it exits first or is not ready within `readyTimeoutMs`.
 */
export async function startServer(options: StartOptions = {}): Promise<BenchServer> {
  const entry = options.entry ? path.resolve(options.entry) : serverEntry;
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);

  const ownDirectory = options.dataDir ? undefined : await makeTempDataDir();
  const dataDir = options.dataDir ?? ownDirectory!.path;
  const adminKey = options.adminKey ?? benchAdminKey();
  const logLevel = options.logLevel ?? defaultLogLevel();
  const output = options.output ?? defaultServerOutput();
  const port = await findFreePort();
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;

  const started = performance.now();
  // cwd is the data directory so that no `.env` of the checkout is read.
  const child = spawn(process.execPath, [...startScriptNodeArgs(), ...(options.nodeArgs ?? []), entry], {
    cwd: dataDir,
    env: serverEnvironment({
      PORT: String(port),
      HOST: LOOPBACK,
      AGENTRY_DATA_DIR: dataDir,
      AGENTRY_ADMIN_KEY: adminKey,
      LOG_LEVEL: logLevel,
      ...options.env,
    }),
    stdio: ['ignore', output === 'pipe' ? 'pipe' : 'ignore', 'pipe'],
  });
  liveChildren.add(child);

  // Keep the end of stderr (start-up failures are written there) and drain stdout if piped.
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  child.stdout?.on('data', () => {});

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    });
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => {});

  /** Waits for the exit, at most `ms`; the timer does not outlive the wait. */
  const exitedWithin = async (ms: number): Promise<'exited' | 'timeout'> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    try {
      return await Promise.race([exited.then(() => 'exited' as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  let stopping: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  const stop = (timeoutMs = 15_000) => {
    stopping ??= (async () => {
      if (!hasExited) {
        child.kill('SIGTERM');
        if ((await exitedWithin(timeoutMs)) === 'timeout') {
          child.kill('SIGKILL');
          await exitedWithin(5_000);
        }
      }
      const result = hasExited ? await exited : { code: null, signal: null };
      await ownDirectory?.remove();
      return result;
    })();
    return stopping;
  };

  try {
    const deadline = started + readyTimeoutMs;
    let polls = 0;
    for (;;) {
      if (hasExited) {
        const { code, signal } = await exited;
        throw new Error(`server exited before it was ready (code ${code}, signal ${signal}):\n${stderrTail}`);
      }
      if (performance.now() > deadline) throw new Error(`server not ready after ${readyTimeoutMs} ms:\n${stderrTail}`);
      polls += 1;
      const status = await Promise.race([
        httpRequest(port, '/readyz', { timeoutMs: 1_000 }).then(
          (response) => response.status,
          () => 0,
        ),
        spawnError,
      ]);
      if (status === 200) {
        const readyAfterMs = performance.now() - started;
        if (child.pid === undefined) throw new Error('server has no pid');
        return {
          pid: child.pid,
          port,
          url: `http://${LOOPBACK}:${port}`,
          adminKey,
          dataDir,
          logLevel,
          readyAfterMs,
          readyPolls: polls,
          stop,
        };
      }
      await sleep(READY_POLL_INTERVAL_MS);
    }
  } catch (error) {
    await stop(5_000);
    throw error;
  }
}

/** Runs `body` with a started server and always stops it afterwards. */
export async function withServer<T>(options: StartOptions, body: (server: BenchServer) => Promise<T>): Promise<T> {
  const server = await startServer(options);
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------
// Helper processes (a fixed upstream, a reference proxy…)

export interface HelperProcess {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  /** SIGTERM, wait for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Runs a TypeScript script of bench/ in its own node process (through tsx),
 * so that its CPU time is its own, and resolves once it prints
 * `listening <port>` on stdout. The script must listen on 127.0.0.1 only and
 * should exit when its stdin ends (the bench went away without stopping it).
 */
export async function startHelperProcess(
  script: string,
  args: readonly string[] = [],
  options: { readyTimeoutMs?: number; nodeArgs?: readonly string[] } = {},
): Promise<HelperProcess> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', path.join(repoRoot, 'bench', script), ...args], {
    cwd: repoRoot,
    env: serverEnvironment({}),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  liveChildren.add(child);
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      liveChildren.delete(child);
      resolve();
    });
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  const stop = async (timeoutMs = 5_000) => {
    if (hasExited) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut && !hasExited) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  try {
    const port = await new Promise<number>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => reject(new Error(`${script} did not start within ${readyTimeoutMs} ms:\n${stderrTail}`)), readyTimeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${script} exited before it was listening:\n${stderrTail}`));
      });
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        stdout = (stdout + chunk).slice(-STDERR_TAIL_BYTES);
        const match = /^listening (\d+)$/m.exec(stdout);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
    });
    if (child.pid === undefined) throw new Error(`${script} has no pid`);
    return { pid: child.pid, port, url: `http://${LOOPBACK}:${port}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Reads a `Vm*` field of /proc/<pid>/status, in kB (Linux only). */
export async function readProcStatusKb(pid: number, field: 'VmRSS' | 'VmHWM' | 'VmSize' | 'RssAnon' | 'RssFile'): Promise<number> {
  const status = await fsp.readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
  if (!match?.[1]) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

/** CPU time (user + system) a process has used so far, in milliseconds, from /proc/<pid>/stat (Linux only). */
/** CPU of a process's main thread (its thread id is the pid), ms: the rest of readProcCpuMs is V8's and libuv's helper threads. */
export async function readMainThreadCpuMs(pid: number): Promise<number> {
  return cpuMsOfStat(await fsp.readFile(`/proc/${pid}/task/${pid}/stat`, 'utf8'));
}

export async function readProcCpuMs(pid: number): Promise<number> {
  return cpuMsOfStat(await fsp.readFile(`/proc/${pid}/stat`, 'utf8'));
}

/** User + system time of a /proc stat line, ms. */
function cpuMsOfStat(stat: string): number {
  // The command name (field 2) may contain spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100; // USER_HZ, 100 on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

// ---------------------------------------------------------------------------
// Figures and verdicts

export interface Check {
  /** Printed before the colon, e.g. `auth-get p99`. */
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  readonly op: '>=' | '<' | '<=';
  readonly limit: number;
  readonly pass: boolean;
  /** Decimals to print. */
  readonly digits?: number;
}

export function check(label: string, value: number, unit: string, op: Check['op'], limit: number, digits = 0): Check {
  const pass = op === '>=' ? value >= limit : op === '<' ? value < limit : value <= limit;
  return { label, value, unit, op, limit, pass, digits };
}

function formatNumber(value: number, digits: number): string {
  return value.toFixed(digits);
}

/** `auth-get: 7412 req/s (budget >= 5000) PASS` */
export function formatCheck(c: Check): string {
  const unit = c.unit ? ` ${c.unit}` : '';
  return `${c.label}: ${formatNumber(c.value, c.digits ?? 0)}${unit} (budget ${c.op} ${c.limit}${unit}) ${c.pass ? 'PASS' : 'FAIL'}`;
}

/**
 * The load on the machine: on 2 cores, anything else running (a test suite, a
 * build) shows up directly in the figures, so every result says what it was.
 */
export function machineLoad(): string {
  const [one, five] = os.loadavg();
  return `${os.cpus().length} CPUs, load average ${one!.toFixed(2)} (1 min) ${five!.toFixed(2)} (5 min)`;
}

export interface BenchResult {
  readonly name: string;
  /** Lines with figures that have no budget. */
  readonly info: readonly string[];
  readonly checks: readonly Check[];
}

export function passed(result: BenchResult): boolean {
  return result.checks.every((c) => c.pass);
}

export function printResult(result: BenchResult): void {
  for (const line of result.info) console.log(line);
  for (const c of result.checks) console.log(formatCheck(c));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The nearest-rank percentile (`p` in 0–100) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** True when `moduleUrl` (pass `import.meta.url`) is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(path.resolve(entry)).href === moduleUrl;
}

/** For a script run directly: run, print, exit 1 if a budget failed or it threw. */
export async function runStandalone(run: () => Promise<BenchResult>): Promise<void> {
  try {
    const result = await run();
    printResult(result);
    process.exitCode = passed(result) ? 0 : 1;
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 2;
  }
}
