import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_EMBEDDING_DIMENSIONS } from './scripted-upstream/embeddings.js';
import { openAiErrorBody } from './scripted-upstream/error-body.js';
import { Exchange } from './scripted-upstream/exchange.js';
import { RequestLog, type RequestRecord, type WaitOptions } from './scripted-upstream/request-log.js';
import { type RouteContext, routeRequest } from './scripted-upstream/routes.js';
import { StepQueue } from './scripted-upstream/step-queue.js';
import {
  type EmbeddingsOverride,
  type EnqueueOptions,
  type RecordedRequest,
  type ReplyScript,
  type ScriptedStep,
  assertValidStep,
} from './scripted-upstream/steps.js';

export type * from './scripted-upstream/steps.js';
export type { WaitOptions } from './scripted-upstream/request-log.js';
export { DEFAULT_REPLY_CONTENT, countTokens, promptTokensOf, splitIntoPieces } from './scripted-upstream/chat-completion.js';
export { DEFAULT_EMBEDDING_DIMENSIONS, fakeEmbedding } from './scripted-upstream/embeddings.js';

export interface ScriptedUpstreamOptions {
  /** Ids listed by `GET /v1/models`; default `['scripted-model']`. */
  readonly models?: readonly string[];
  /** Answers chat requests when no step is queued for them. */
  readonly defaultReply?: ReplyScript;
  /** Vector length when the request names no `dimensions`; default 8. */
  readonly embeddingDimensions?: number;
  /** Multiplies every embedding (default 1: unit length), for clients that must normalise what they receive. */
  readonly embeddingScale?: number;
}

/** An OpenAI-compatible model provider on a real socket, answering from a script and recording what it received. */
export interface ScriptedUpstream {
  /** The base URL clients expect, ending in `/v1`. */
  readonly url: string;
  /** Every request in arrival order, including ones still being answered (a live list). */
  readonly requests: readonly RecordedRequest[];
  /** Steps not yet consumed; a test can assert its script was used up. */
  readonly pendingSteps: number;
  models: string[];
  defaultReply: ReplyScript;
  /** Answers matching embeddings requests until set back to undefined (or `reset`). */
  embeddingsOverride: EmbeddingsOverride | undefined;
  enqueue(step: ScriptedStep, options?: EnqueueOptions): void;
  /** Throws when nothing was received, so assertions read without narrowing. */
  lastRequest(): RecordedRequest;
  /** Resolves with the live list once at least `count` requests have arrived. */
  waitForRequests(count: number, options?: WaitOptions): Promise<readonly RecordedRequest[]>;
  /** Resolves once `condition` holds, re-checked whenever a request arrives, completes or is aborted. */
  waitUntil(condition: () => boolean, options?: WaitOptions): Promise<void>;
  /** Forgets queued steps and recorded requests, for suites sharing one upstream. */
  reset(): void;
  /** Cuts open responses (hanging ones included) and stops listening. */
  close(): Promise<void>;
}

export async function startScriptedUpstream(options: ScriptedUpstreamOptions = {}): Promise<ScriptedUpstream> {
  if (options.defaultReply) assertValidStep({ kind: 'reply', ...options.defaultReply });
  const queue = new StepQueue();
  const log = new RequestLog();
  const openExchanges = new Set<Exchange>();
  let sequence = 0;
  const state: { models: string[]; defaultReply: ReplyScript; embeddingsOverride: EmbeddingsOverride | undefined } = {
    models: [...(options.models ?? ['scripted-model'])],
    defaultReply: options.defaultReply ?? {},
    embeddingsOverride: undefined,
  };
  const context: RouteContext = {
    queue,
    log,
    models: () => state.models,
    defaultReply: () => state.defaultReply,
    embeddingDimensions: options.embeddingDimensions ?? DEFAULT_EMBEDDING_DIMENSIONS,
    embeddingScale: options.embeddingScale ?? 1,
    embeddingsOverride: () => state.embeddingsOverride,
    nextId: (prefix) => `${prefix}${(sequence += 1)}`,
  };

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const id = context.nextId('req_scripted_');
    response.setHeader('x-request-id', id);
    const rawBody = await readBody(request);
    const record: RequestRecord = {
      id,
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: request.headers,
      rawBody,
      body: parseJson(rawBody),
      receivedAt: new Date(),
      step: undefined,
      aborted: false,
      completed: false,
    };
    const exchange = new Exchange(response, {
      onCompleted: () => log.update(record, { completed: true }),
      onAborted: () => log.update(record, { aborted: true }),
    });
    openExchanges.add(exchange);
    exchange.signal.addEventListener('abort', () => openExchanges.delete(exchange));
    log.add(record);
    try {
      await routeRequest(record, exchange, context);
    } catch (error) {
      // A closed connection ends the script by design; anything else is a bug
      // in the script or the upstream, and the test should see it.
      if (exchange.signal.aborted) return;
      if (exchange.headersSent) exchange.cut();
      else exchange.sendJson(500, openAiErrorBody(500, { message: `scripted upstream failed: ${String(error)}` }));
    }
  }

  const server = http.createServer((request, response) => {
    // A client that leaves while its body is being read has nothing to answer.
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return log.all;
    },
    get pendingSteps() {
      return queue.size;
    },
    get models() {
      return state.models;
    },
    set models(models: string[]) {
      state.models = models;
    },
    get defaultReply() {
      return state.defaultReply;
    },
    set defaultReply(reply: ReplyScript) {
      assertValidStep({ kind: 'reply', ...reply });
      state.defaultReply = reply;
    },
    get embeddingsOverride() {
      return state.embeddingsOverride;
    },
    set embeddingsOverride(override: EmbeddingsOverride | undefined) {
      if (override) assertValidStep(override.step);
      state.embeddingsOverride = override;
    },
    enqueue(step, enqueueOptions) {
      assertValidStep(step);
      queue.push(step, enqueueOptions);
    },
    lastRequest: () => log.last(),
    async waitForRequests(count, waitOptions) {
      await log.waitUntil(() => log.all.length >= count, { description: `${count} request(s)`, ...waitOptions });
      return log.all;
    },
    waitUntil: (condition, waitOptions) => log.waitUntil(condition, waitOptions),
    reset() {
      queue.clear();
      log.clear();
      state.embeddingsOverride = undefined;
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const exchange of openExchanges) exchange.cut();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
