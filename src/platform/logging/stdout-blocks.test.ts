import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';
import { describe, expect, it } from 'vitest';

const LOGGER_MODULE = new URL('./logger.ts', import.meta.url).pathname;

/** Runs `body` in a node process whose logger writes to its real standard output. */
function runLogging(body: string): ChildProcess {
  const script = `import { createLogger } from ${JSON.stringify(LOGGER_MODULE)};\nconst logger = createLogger('info');\n${body}`;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function linesOf(child: ChildProcess): Promise<{ lines: string[]; code: number | null }> {
  const lines: string[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  const [code] = (await once(child, 'close')) as [number | null];
  return { lines, code };
}

const messages = (lines: string[]) => lines.map((line) => (JSON.parse(line) as { msg: string }).msg);

describe('standard output in blocks', () => {
  it('writes the lines still pending when the process exits, in order', async () => {
    const { lines, code } = await linesOf(runLogging(`for (let i = 0; i < 3; i += 1) logger.info('line ' + i);\nprocess.exit(0);`));
    expect(code).toBe(0);
    expect(messages(lines)).toEqual(['line 0', 'line 1', 'line 2']);
  });

  it('writes them also when an uncaught exception ends the process', async () => {
    const { lines, code } = await linesOf(runLogging(`logger.error('about to fail');\nthrow new Error('boom');`));
    expect(code).not.toBe(0);
    expect(messages(lines)).toEqual(['about to fail']);
  });

  it('writes a lone line while the process keeps running, and many lines whole', async () => {
    const child = runLogging(
      `logger.info('first');\nsetTimeout(() => { for (let i = 0; i < 500; i += 1) logger.info({ i, padding: 'x'.repeat(100) }, 'bulk'); }, 1000);\nsetTimeout(() => {}, 60000);`,
    );
    const lines: string[] = [];
    const reader = readline.createInterface({ input: child.stdout! });
    const first = new Promise<void>((resolve) => reader.on('line', (line) => (lines.push(line), resolve())));
    await first;
    // The first line arrived on its own, long before the process ends (it is killed below).
    expect(messages(lines)).toEqual(['first']);
    await new Promise<void>((resolve) => reader.on('line', () => lines.length === 501 && resolve()));
    child.kill();
    expect(lines.slice(1).map((line) => (JSON.parse(line) as { i: number }).i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  }, 20_000);

  it('keeps lines whole and in order through a reader that lags, including lines larger than a block and non-ASCII text', async () => {
    // 4,000 lines of about 1 KB: far more than a pipe holds, so the writer meets a full pipe and must wait, not drop.
    const child = runLogging(
      `logger.info({ huge: 'é'.repeat(100000) }, 'huge');\nfor (let i = 0; i < 4000; i += 1) logger.info({ i, text: 'ü€'.repeat(300) }, 'bulk');\nprocess.exit(0);`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { lines, code } = await linesOf(child);
    expect(code).toBe(0);
    const parsed = lines.map((line) => JSON.parse(line) as { msg: string; i?: number; text?: string; huge?: string });
    expect(parsed[0]?.huge).toBe('é'.repeat(100000));
    expect(parsed.slice(1).map((line) => line.i)).toEqual(Array.from({ length: 4000 }, (_, i) => i));
    expect(parsed.slice(1).every((line) => line.text === 'ü€'.repeat(300))).toBe(true);
  }, 20_000);
});
