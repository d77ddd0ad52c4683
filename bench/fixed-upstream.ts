/**
 * A minimal, fast OpenAI-compatible upstream for bench/inference.ts, run in
 * its own process so its CPU is counted apart from the proxy under test.
 *
 * POST /v1/chat/completions answers a fixed chat.completion JSON, or — when
 * the request body contains `"stream":true` — a fixed SSE stream of 20
 * `chat.completion.chunk` events followed by `data: [DONE]`. Each event is its
 * own write on its own turn of the event loop (setImmediate, no timers), so a
 * proxy reads the stream as a stream rather than as one coalesced segment.
 * Everything is prebuilt; a request costs a substring check and the writes.
 * A body that does not name `"model":"bench-model"` gets a 400, so a proxy
 * that forgets to rewrite the model shows up as non-2xx.
 *
 *   node --import tsx bench/fixed-upstream.ts      (prints `listening <port>`)
 */
import http from 'node:http';
import { LOOPBACK, announceListening, exitWithParent, isScript } from './child-lifecycle.js';

export const UPSTREAM_MODEL = 'bench-model';
export const STREAM_EVENTS = 20;

const CREATED = 1_700_000_000;

export const FIXED_COMPLETION = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: CREATED,
    model: UPSTREAM_MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the bench upstream, a fixed answer.' }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 },
  }),
);

function chunk(delta: Record<string, unknown>, finishReason: string | null): Buffer {
  const event = {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: UPSTREAM_MODEL,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
  return Buffer.from(`data: ${JSON.stringify(event)}\n\n`);
}

/** The 20 events, then `data: [DONE]`, each a separate write. */
export const FIXED_STREAM: readonly Buffer[] = [
  chunk({ role: 'assistant', content: '' }, null),
  ...Array.from({ length: STREAM_EVENTS - 2 }, (_, index) => chunk({ content: `word${index} ` }, null)),
  chunk({}, 'stop'),
  Buffer.from('data: [DONE]\n\n'),
];

const JSON_HEADERS = { 'content-type': 'application/json', 'content-length': String(FIXED_COMPLETION.length) };
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
const NOT_FOUND = Buffer.from('{"error":{"message":"not found","type":"invalid_request_error"}}');
const WRONG_MODEL = Buffer.from(`{"error":{"message":"expected model ${UPSTREAM_MODEL}","type":"invalid_request_error"}}`);

function writeStream(response: http.ServerResponse, index: number): void {
  if (response.destroyed) return;
  if (index === FIXED_STREAM.length - 1) {
    response.end(FIXED_STREAM[index]);
    return;
  }
  response.write(FIXED_STREAM[index]);
  setImmediate(writeStream, response, index + 1);
}

function handle(request: http.IncomingMessage, response: http.ServerResponse): void {
  if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
    request.resume();
    response.writeHead(404, { 'content-type': 'application/json', 'content-length': String(NOT_FOUND.length) }).end(NOT_FOUND);
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (data: Buffer) => chunks.push(data));
  request.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]!.toString('latin1') : Buffer.concat(chunks).toString('latin1');
    if (!body.includes(`"model":"${UPSTREAM_MODEL}"`)) {
      response.writeHead(400, { 'content-type': 'application/json', 'content-length': String(WRONG_MODEL.length) }).end(WRONG_MODEL);
      return;
    }
    if (body.includes('"stream":true')) {
      response.writeHead(200, SSE_HEADERS);
      writeStream(response, 0);
    } else {
      response.writeHead(200, JSON_HEADERS).end(FIXED_COMPLETION);
    }
  });
}

async function main(): Promise<void> {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0 }, resolve);
  });
  exitWithParent(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  announceListening(server.address());
}

// Run when started as a script; importing it (for FIXED_STREAM) starts nothing.
if (isScript(import.meta.url)) await main();
