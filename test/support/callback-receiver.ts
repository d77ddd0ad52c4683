import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the receiver answers one path. */
export interface ReceiverReply {
  readonly status?: number;
  /** An object is sent as JSON; a string as is. */
  readonly body?: unknown;
  readonly contentType?: string;
  /** Waits this long before answering (headers included). */
  readonly delayMs?: number;
  /** Sends this many bytes of `x` instead of `body`. */
  readonly bytes?: number;
}

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A real HTTP server standing in for a tenant's tool backend: it records requests and answers per path. */
export interface CallbackReceiver {
  readonly url: string;
  readonly received: ReceivedRequest[];
  reply(path: string, reply: ReceiverReply): void;
  count(path: string): number;
  last(path?: string): ReceivedRequest;
  close(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const replies = new Map<string, ReceiverReply>();
  const received: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      received.push({ method: request.method ?? 'GET', path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const reply = replies.get(path) ?? { status: 404, body: { error: 'no reply configured' } };
      const answer = (): void => {
        const isText = typeof reply.body === 'string';
        const body = reply.bytes !== undefined ? 'x'.repeat(reply.bytes) : isText ? (reply.body as string) : JSON.stringify(reply.body ?? {});
        const contentType = reply.contentType ?? (isText || reply.bytes !== undefined ? 'text/plain' : 'application/json');
        response.writeHead(reply.status ?? 200, { 'content-type': contentType });
        response.end(body);
      };
      if (!reply.delayMs) return answer();
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!response.destroyed) answer();
      }, reply.delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    reply: (path, reply) => void replies.set(path, reply),
    count: (path) => received.filter((request) => request.path === path).length,
    last(path) {
      const matching = path === undefined ? received : received.filter((request) => request.path === path);
      const request = matching.at(-1);
      if (!request) throw new Error(`nothing received${path ? ` at ${path}` : ''}`);
      return request;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
