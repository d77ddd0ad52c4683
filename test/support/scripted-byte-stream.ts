import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible provider that streams exactly the bytes it is given,
 * one network write per piece with a pause between them, so a test decides
 * where the chunks Agentry receives are cut (inside a model name, inside a
 * multi-byte character). Every chat request takes the next queued script.
 */
export interface ScriptedByteStream {
  /** The base URL a connection names, ending in `/v1`. */
  readonly url: string;
  /** The parsed bodies of the chat requests received, in order. */
  readonly requests: readonly unknown[];
  enqueue(pieces: ReadonlyArray<string | Buffer>): void;
  close(): Promise<void>;
}

/** Cuts `text`'s UTF-8 bytes at the given byte offsets, which may fall inside a character. */
export function cutBytes(text: string, offsets: readonly number[]): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const cuts = [0, ...[...offsets].sort((a, b) => a - b), bytes.length];
  return cuts.slice(1).map((end, index) => bytes.subarray(cuts[index], end));
}

const PAUSE_MS = 30;

export async function startScriptedByteStream(): Promise<ScriptedByteStream> {
  const scripts: Array<ReadonlyArray<string | Buffer>> = [];
  const requests: unknown[] = [];
  const open = new Set<http.ServerResponse>();

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    requests.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
    const pieces = scripts.shift();
    if (!pieces) {
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"no script queued"}}');
      return;
    }
    open.add(response);
    response.on('close', () => open.delete(response));
    // Nagle would merge the small writes into one segment and hide the cuts.
    response.socket?.setNoDelay(true);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const piece of pieces) {
      if (response.destroyed) return;
      response.write(piece);
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
    response.end();
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (pieces) => scripts.push(pieces),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const response of open) response.destroy();
        server.closeAllConnections();
      }),
  };
}
