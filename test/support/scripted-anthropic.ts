import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer of the scripted Anthropic Messages API; unscripted requests get the default reply. */
export type AnthropicStep =
  | {
      readonly kind: 'reply';
      readonly text?: string;
      /** A thinking block before the answer, as Claude sends with extended thinking on. */
      readonly thinking?: string;
      readonly toolUse?: { readonly id?: string; readonly name: string; readonly input: Record<string, unknown> };
      readonly stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';
      readonly usage?: { readonly input_tokens: number; readonly output_tokens: number; readonly cache_read_input_tokens?: number };
      /** Streamed text is sent in pieces of this many characters. */
      readonly pieceSize?: number;
    }
  | { readonly kind: 'error'; readonly status: number; readonly message?: string; readonly retryAfterSeconds?: number }
  /** Accepts the request and never answers, until the client goes away. */
  | { readonly kind: 'hang' };

export interface AnthropicRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawBody: string;
  readonly body: Record<string, unknown>;
  aborted: boolean;
}

export interface ScriptedAnthropic {
  /** The base URL a connection names, ending in `/v1`. */
  readonly url: string;
  readonly requests: readonly AnthropicRequestRecord[];
  enqueue(step: AnthropicStep): void;
  lastRequest(): AnthropicRequestRecord;
  /** Resolves once `condition` holds (polled), for events that happen after a response ended. */
  waitUntil(condition: () => boolean, timeoutMs?: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_TEXT = 'Hello from the scripted Claude.';
const ERROR_TYPES: Record<number, string> = { 400: 'invalid_request_error', 401: 'authentication_error', 429: 'rate_limit_error', 529: 'overloaded_error' };

function sse(response: http.ServerResponse, event: string, data: Record<string, unknown>): void {
  response.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
}

function pieces(text: string, size: number): string[] {
  const result: string[] = [];
  for (let start = 0; start < text.length; start += size) result.push(text.slice(start, start + size));
  return result;
}

function answer(step: Extract<AnthropicStep, { kind: 'reply' }>, model: string, id: string) {
  const text = step.text ?? (step.toolUse ? '' : DEFAULT_TEXT);
  const toolUse = step.toolUse ? { type: 'tool_use', id: step.toolUse.id ?? `toolu_${id}`, name: step.toolUse.name, input: step.toolUse.input } : undefined;
  const thinking = step.thinking ? { type: 'thinking', thinking: step.thinking, signature: `sig_${id}` } : undefined;
  const content = [...(thinking ? [thinking] : []), ...(text ? [{ type: 'text', text }] : []), ...(toolUse ? [toolUse] : [])];
  const usage = { cache_read_input_tokens: 0, ...(step.usage ?? { input_tokens: 12, output_tokens: 7 }) };
  return { id: `msg_${id}`, type: 'message', role: 'assistant', model, content, stop_reason: step.stopReason ?? (toolUse ? 'tool_use' : 'end_turn'), stop_sequence: null, usage };
}

function stream(response: http.ServerResponse, message: ReturnType<typeof answer>, pieceSize: number): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const { usage } = message;
  sse(response, 'message_start', {
    message: { ...message, content: [], stop_reason: null, usage: { input_tokens: usage.input_tokens, output_tokens: 1, cache_read_input_tokens: usage.cache_read_input_tokens } },
  });
  message.content.forEach((block, index) => {
    if (block.type === 'thinking' && 'thinking' in block) {
      sse(response, 'content_block_start', { index, content_block: { type: 'thinking', thinking: '' } });
      for (const piece of pieces(block.thinking, pieceSize)) {
        sse(response, 'content_block_delta', { index, delta: { type: 'thinking_delta', thinking: piece } });
      }
      sse(response, 'content_block_delta', { index, delta: { type: 'signature_delta', signature: block.signature } });
    } else if (block.type === 'text' && 'text' in block) {
      sse(response, 'content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const piece of pieces(block.text, pieceSize)) sse(response, 'content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
    } else if ('input' in block) {
      sse(response, 'content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      for (const piece of pieces(JSON.stringify(block.input), 8)) sse(response, 'content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } });
    }
    sse(response, 'content_block_stop', { index });
  });
  sse(response, 'message_delta', { delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  sse(response, 'message_stop', {});
  response.end();
}

/** A model provider speaking Anthropic's Messages API on a real socket, answering from a script and recording what it received. */
export async function startScriptedAnthropic(): Promise<ScriptedAnthropic> {
  const steps: AnthropicStep[] = [];
  const requests: AnthropicRequestRecord[] = [];
  const open = new Set<http.ServerResponse>();
  let sequence = 0;

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const record: AnthropicRequestRecord = {
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: request.headers,
      rawBody,
      body: rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : {},
      aborted: false,
    };
    requests.push(record);
    open.add(response);
    response.on('close', () => {
      open.delete(response);
      if (!response.writableFinished) record.aborted = true;
    });
    if (record.method !== 'POST' || record.path !== '/v1/messages') {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'Not found' } }));
      return;
    }
    const step = steps.shift() ?? { kind: 'reply' };
    if (step.kind === 'hang') return;
    if (step.kind === 'error') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (step.retryAfterSeconds !== undefined) headers['retry-after'] = String(step.retryAfterSeconds);
      const error = { type: ERROR_TYPES[step.status] ?? 'api_error', message: step.message ?? `scripted failure ${step.status}` };
      response.writeHead(step.status, headers).end(JSON.stringify({ type: 'error', error }));
      return;
    }
    sequence += 1;
    const message = answer(step, String(record.body.model ?? 'claude-scripted'), String(sequence));
    if (record.body.stream === true) stream(response, message, step.pieceSize ?? 5);
    else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(message));
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
    enqueue: (step) => steps.push(step),
    lastRequest() {
      const last = requests.at(-1);
      if (!last) throw new Error('the scripted Anthropic received no request');
      return last;
    },
    async waitUntil(condition, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error('condition not met in time');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    reset() {
      steps.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const response of open) response.destroy();
        server.closeAllConnections();
      }),
  };
}
