/**
 * Budget 3: idle RSS under 150 MB. Starts the server, makes a handful of
 * requests (so the routes, serializers and the database are warm), waits
 * about 5 s idle, then reads VmRSS from /proc/<pid>/status.
 *
 *   npm run build && node --import tsx bench/idle-rss.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type BenchResult,
  type StartOptions,
  check,
  httpRequest,
  isMain,
  machineLoad,
  readProcStatusKb,
  runStandalone,
  withServer,
} from './support.js';

export const IDLE_RSS_BUDGET_MB = 150;

export interface IdleRssOptions extends StartOptions {
  readonly idleMs?: number;
}

export interface IdleRssFigures extends BenchResult {
  readonly afterReadyMb: number;
  readonly idleRssMb: number;
  readonly peakRssMb: number;
}

const kbToMb = (kb: number) => kb / 1024;

export async function runIdleRss(options: IdleRssOptions = {}): Promise<IdleRssFigures> {
  const idleMs = options.idleMs ?? 5_000;
  return withServer(options, async (server) => {
    const afterReadyMb = kbToMb(await readProcStatusKb(server.pid, 'VmRSS'));
    const headers = { authorization: `Bearer ${server.adminKey}` };
    const requests: Array<[string, Record<string, string>]> = [
      ['/healthz', {}],
      ['/readyz', {}],
      ['/api/v1/accounts', headers],
      ['/api/v1/accounts/api-key', headers],
      ['/metrics', {}],
    ];
    for (let round = 0; round < 4; round += 1) {
      for (const [requestPath, requestHeaders] of requests) {
        const response = await httpRequest(server.port, requestPath, { headers: requestHeaders });
        if (response.status !== 200) throw new Error(`GET ${requestPath} answered ${response.status}`);
      }
    }
    await sleep(idleMs);
    const idleRssMb = kbToMb(await readProcStatusKb(server.pid, 'VmRSS'));
    const peakRssMb = kbToMb(await readProcStatusKb(server.pid, 'VmHWM'));
    const anonMb = kbToMb(await readProcStatusKb(server.pid, 'RssAnon'));
    const fileMb = kbToMb(await readProcStatusKb(server.pid, 'RssFile'));
    return {
      name: 'idle-rss',
      afterReadyMb,
      idleRssMb,
      peakRssMb,
      info: [
        `idle-rss: machine: ${machineLoad()}`,
        `idle-rss: ${requests.length * 4} requests, then ${idleMs / 1000} s idle, LOG_LEVEL=${server.logLevel}`,
        `idle-rss: RSS right after ready ${afterReadyMb.toFixed(1)} MB; idle ${idleRssMb.toFixed(1)} MB (anon ${anonMb.toFixed(1)}, file ${fileMb.toFixed(1)}); peak (VmHWM) ${peakRssMb.toFixed(1)} MB`,
      ],
      checks: [check('idle-rss', idleRssMb, 'MB', '<', IDLE_RSS_BUDGET_MB, 1)],
    };
  });
}

if (isMain(import.meta.url)) await runStandalone(() => runIdleRss());
