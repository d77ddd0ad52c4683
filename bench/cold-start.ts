/**
 * Budget 2: cold start to `/readyz` 200 in under 1.5 s on an existing
 * database. A first start creates and migrates the database (not timed); then
 * `node dist/main.js` is spawned on it five times, timing spawn to the first
 * 200 of /readyz (polled every 5 ms).
 *
 *   npm run build && node --import tsx bench/cold-start.ts
 */
import {
  type BenchResult,
  type StartOptions,
  benchAdminKey,
  check,
  isMain,
  machineLoad,
  makeTempDataDir,
  median,
  runStandalone,
  startServer,
} from './support.js';

export const COLD_START_BUDGET_MS = 1_500;

export interface ColdStartOptions extends Omit<StartOptions, 'dataDir' | 'adminKey'> {
  readonly runs?: number;
}

export interface ColdStartFigures extends BenchResult {
  readonly firstStartMs: number;
  readonly samplesMs: readonly number[];
  readonly minMs: number;
  readonly medianMs: number;
  readonly maxMs: number;
}

export async function runColdStart(options: ColdStartOptions = {}): Promise<ColdStartFigures> {
  const runs = options.runs ?? 5;
  const directory = await makeTempDataDir();
  try {
    const adminKey = benchAdminKey();
    const first = await startServer({ ...options, dataDir: directory.path, adminKey });
    await first.stop();

    const samplesMs: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const server = await startServer({ ...options, dataDir: directory.path, adminKey });
      samplesMs.push(server.readyAfterMs);
      const { code } = await server.stop();
      if (code !== 0) throw new Error(`server exited with code ${code} after SIGTERM`);
    }

    const minMs = Math.min(...samplesMs);
    const maxMs = Math.max(...samplesMs);
    const medianMs = median(samplesMs);
    return {
      name: 'cold-start',
      firstStartMs: first.readyAfterMs,
      samplesMs,
      minMs,
      medianMs,
      maxMs,
      info: [
        `cold-start: machine: ${machineLoad()}`,
        `cold-start: first start (creates the database) ${first.readyAfterMs.toFixed(0)} ms, not counted`,
        `cold-start: ${runs} starts on the existing database: ${samplesMs.map((ms) => ms.toFixed(0)).join(', ')} ms`,
      ],
      checks: [
        check('cold-start min', minMs, 'ms', '<', COLD_START_BUDGET_MS),
        check('cold-start median', medianMs, 'ms', '<', COLD_START_BUDGET_MS),
        check('cold-start max', maxMs, 'ms', '<', COLD_START_BUDGET_MS),
      ],
    };
  } finally {
    await directory.remove();
  }
}

if (isMain(import.meta.url)) await runStandalone(() => runColdStart());
