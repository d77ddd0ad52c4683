import pino from 'pino';

/** Lines are written once this many characters are pending, or at the latest after STDOUT_FLUSH_INTERVAL_MS. */
const BLOCK_CHARACTERS = 4_096;
const STDOUT_FLUSH_INTERVAL_MS = 250;

let shared: pino.DestinationStream | undefined;

/**
 * Standard output for log lines, written in blocks: a gateway logs a line per
 * request, and pino's destinations cost about 5 µs a line here — the
 * synchronous one a system call per line, the asynchronous one (sonic-boom)
 * a byte count of its whole pending buffer on every line. Lines are gathered
 * in an array and joined into one synchronous write per block, about 1 µs a
 * line. They wait at most STDOUT_FLUSH_INTERVAL_MS; what is pending when the
 * process exits (also after an uncaught exception) is written then. One
 * writer serves every logger of the process, as there is one standard output.
 */
export function stdoutBlocks(): pino.DestinationStream {
  if (shared) return shared;
  // Synchronous, so each block is written whole and in order, and nothing is left behind at exit.
  const stdout = pino.destination({ dest: 1, sync: true });
  let lines: string[] = [];
  let characters = 0;
  const flush = () => {
    if (characters === 0) return;
    const block = lines.join('');
    lines = [];
    characters = 0;
    stdout.write(block);
  };
  setInterval(flush, STDOUT_FLUSH_INTERVAL_MS).unref();
  process.once('exit', flush);
  shared = {
    write(line: string) {
      lines.push(line);
      characters += line.length;
      if (characters >= BLOCK_CHARACTERS) flush();
    },
    // pino's logger.flush() calls this.
    flush(callback?: (error?: Error) => void) {
      flush();
      callback?.();
    },
  } as pino.DestinationStream;
  return shared;
}
