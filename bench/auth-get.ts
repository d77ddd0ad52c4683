/**
 * Budget 1: an authenticated GET of a small resource (`GET /api/v1/accounts`
 * with the admin key as a Bearer token) sustains at least 5,000 requests/s
 * with 50 connections on SQLite, with p99 latency under 20 ms.
 *
 *   npm run build && node --import tsx bench/auth-get.ts
 */
import autocannon from 'autocannon';
import {
  type BenchResult,
  type StartOptions,
  check,
  httpRequest,
  isMain,
  machineLoad,
  readProcCpuMs,
  runStandalone,
  withServer,
} from './support.js';

export const AUTH_GET_BUDGET = { requestsPerSecond: 5_000, p99Ms: 20 } as const;

export interface AuthGetOptions extends StartOptions {
  readonly connections?: number;
  readonly warmupSeconds?: number;
  readonly durationSeconds?: number;
}

export interface AuthGetFigures extends BenchResult {
  readonly requestsPerSecond: number;
  readonly totalRequests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

const PATH = '/api/v1/accounts';

export async function runAuthGet(options: AuthGetOptions = {}): Promise<AuthGetFigures> {
  const connections = options.connections ?? 50;
  const warmupSeconds = options.warmupSeconds ?? 2;
  const durationSeconds = options.durationSeconds ?? 10;

  return withServer(options, async (server) => {
    const headers = { authorization: `Bearer ${server.adminKey}` };
    // A wrong key or route would otherwise show up as a very fast run of 401s.
    const probe = await httpRequest(server.port, PATH, { headers });
    if (probe.status !== 200) throw new Error(`GET ${PATH} answered ${probe.status}: ${probe.body.slice(0, 300)}`);

    const loadBefore = machineLoad();
    const load = (duration: number) =>
      autocannon({ url: `${server.url}${PATH}`, connections, duration, timeout: 10, headers });

    await load(warmupSeconds);
    const serverCpuBefore = await readProcCpuMs(server.pid);
    const benchCpuBefore = process.cpuUsage();
    const result = await load(durationSeconds);
    const serverCpuMs = (await readProcCpuMs(server.pid)) - serverCpuBefore;
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const benchCpuMs = (benchCpu.user + benchCpu.system) / 1000;
    const wallMs = result.duration * 1000;

    const requestsPerSecond = result.requests.average;
    const p50Ms = result.latency.p50;
    const p99Ms = result.latency.p99;
    return {
      name: 'auth-get',
      requestsPerSecond,
      totalRequests: result.requests.total,
      p50Ms,
      p99Ms,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      info: [
        `auth-get: GET ${PATH}, ${connections} connections, ${warmupSeconds} s warm-up + ${durationSeconds} s measured, LOG_LEVEL=${server.logLevel}, probe body ${probe.body.length} bytes`,
        `auth-get: ${result.requests.total} requests in ${result.duration.toFixed(1)} s; req/s min ${result.requests.min} max ${result.requests.max}`,
        `auth-get: latency p50 ${p50Ms.toFixed(2)} ms, p90 ${result.latency.p90.toFixed(2)} ms, p99 ${p99Ms.toFixed(2)} ms, max ${result.latency.max.toFixed(2)} ms`,
        `auth-get: errors ${result.errors}, timeouts ${result.timeouts}`,
        `auth-get: CPU during the measured run: server ${((100 * serverCpuMs) / wallMs).toFixed(0)}% of a core (${(serverCpuMs / result.requests.total * 1000).toFixed(0)} µs/request), load generator ${((100 * benchCpuMs) / wallMs).toFixed(0)}%`,
        `auth-get: machine before: ${loadBefore}; after: ${machineLoad()}`,
      ],
      checks: [
        check('auth-get', requestsPerSecond, 'req/s', '>=', AUTH_GET_BUDGET.requestsPerSecond),
        check('auth-get p99', p99Ms, 'ms', '<', AUTH_GET_BUDGET.p99Ms, 2),
        check('auth-get non-2xx', result.non2xx + result.errors, 'responses', '<=', 0),
      ],
    };
  });
}

if (isMain(import.meta.url)) await runStandalone(() => runAuthGet());
