/**
 * For the helper processes of the benchmarks (bench/fixed-upstream.ts,
 * bench/floor-proxy.ts): no side effects on import, unlike support.ts.
 */
import type net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const LOOPBACK = '127.0.0.1';

/**
 * Exits after `close` when stdin ends (the bench went away without stopping
 * this process), on SIGTERM or on SIGINT; `close` gets at most 2 s.
 */
export function exitWithParent(close: () => Promise<void>): void {
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    setTimeout(() => process.exit(0), 2_000).unref();
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** The one line the parent waits for (see startHelperProcess in support.ts). */
export function announceListening(address: net.AddressInfo | string | null): void {
  if (!address || typeof address === 'string') throw new Error('not listening on a TCP port');
  process.stdout.write(`listening ${address.port}\n`);
}

/** Refuses anything but an http URL on 127.0.0.1: the benchmarks never leave the machine. */
export function loopbackUrl(text: string | undefined): URL {
  if (!text) throw new Error('an http://127.0.0.1:<port> URL is required');
  const url = new URL(text);
  if (url.protocol !== 'http:' || url.hostname !== LOOPBACK) throw new Error(`${text} is not an http URL on ${LOOPBACK}`);
  return url;
}

/** True when `moduleUrl` (pass `import.meta.url`) is the script node was started with. */
export function isScript(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(path.resolve(entry)).href === moduleUrl;
}
