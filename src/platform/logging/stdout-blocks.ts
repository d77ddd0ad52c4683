import fs from 'node:fs';
import type pino from 'pino';

/** Lines are encoded into a block of this size and written when it is full, or at the latest after STDOUT_FLUSH_INTERVAL_MS. */
const BLOCK_BYTES = 64 * 1024;
const STDOUT_FLUSH_INTERVAL_MS = 250;
/** How long to wait before writing again to a full pipe (a slow log reader). */
const FULL_PIPE_WAIT_MS = 10;
const STDOUT = 1;

let shared: pino.DestinationStream | undefined;

const sleepSignal = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `bytes`, waiting while the pipe is full: a log line is never dropped or cut. */
function writeAll(bytes: Buffer, length: number): void {
  let written = 0;
  while (written < length) {
    try {
      written += fs.writeSync(STDOUT, bytes, written, length - written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(sleepSignal, 0, 0, FULL_PIPE_WAIT_MS);
    }
  }
}

/**
 * Standard output for log lines, written in blocks: a gateway logs a line per
 * request, and here a system call costs about 3 µs, so writing each line
 * would cost more than making it. Each line is encoded straight into one
 * reused 64 KB buffer — no joined strings, no buffer per write — and the
 * buffer is written synchronously when full, so blocks stay whole and in
 * order. Lines wait at most STDOUT_FLUSH_INTERVAL_MS; what is pending when
 * the process exits (also after an uncaught exception) is written then. One
 * writer serves every logger of the process, as there is one standard output.
 */
export function stdoutBlocks(): pino.DestinationStream {
  if (shared) return shared;
  const block = Buffer.allocUnsafe(BLOCK_BYTES);
  let used = 0;
  const flush = () => {
    if (used === 0) return;
    const length = used;
    used = 0;
    writeAll(block, length);
  };
  setInterval(flush, STDOUT_FLUSH_INTERVAL_MS).unref();
  process.once('exit', flush);
  shared = {
    write(line: string) {
      // UTF-8 takes at most 3 bytes per UTF-16 unit, so a line that passes this check fits.
      if (used + line.length * 3 > BLOCK_BYTES) {
        flush();
        if (line.length * 3 > BLOCK_BYTES) {
          const bytes = Buffer.from(line, 'utf8');
          writeAll(bytes, bytes.length);
          return;
        }
      }
      used += block.write(line, used, 'utf8');
    },
    // pino's logger.flush() calls this.
    flush(callback?: (error?: Error) => void) {
      flush();
      callback?.();
    },
  } as pino.DestinationStream;
  return shared;
}
