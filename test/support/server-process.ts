import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';
import type { Environment } from '../../src/config.js';

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly logLines: string[];
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
}

/**
 * Runs `src/main.ts` as its own process, as an operator would, and waits for
 * its "listening" log line to learn the ephemeral port.
 */
export async function spawnServer(environment: Environment, timeoutMs = 20_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logLines: string[] = [];
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logLines.join('\n')}`)), timeoutMs);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      logLines.push(line);
      const match = /"url":"(http:[^"]+)".*Agentry is listening/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    readline.createInterface({ input: child.stderr }).on('line', (line) => logLines.push(line));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${logLines.join('\n')}`));
    });
  });
  return { child, url, logLines, exited };
}
