import { type AnsweringStep, answerOnce, answerStream } from './answers.js';
import { DEFAULT_REPLY_CONTENT, completionBody, isRecord, resolveReply, streamFrames } from './chat-completion.js';
import { embeddingInputs, embeddingsBody } from './embeddings.js';
import { openAiErrorBody } from './error-body.js';
import type { Exchange } from './exchange.js';
import type { RequestLog, RequestRecord } from './request-log.js';
import type { StepQueue } from './step-queue.js';
import type { EmbeddingsOverride, ReplyScript, ScriptedStep } from './steps.js';

/** What the routes read from the upstream; `models` and `defaultReply` are read per request because tests change them. */
export interface RouteContext {
  readonly queue: StepQueue;
  readonly log: RequestLog;
  readonly models: () => readonly string[];
  readonly defaultReply: () => ReplyScript;
  readonly embeddingDimensions: number;
  readonly embeddingScale: number;
  readonly embeddingsOverride: () => EmbeddingsOverride | undefined;
  readonly nextId: (prefix: string) => string;
}

/** The OpenAI surface the gateway uses; anything else gets OpenAI's own 404 for an unknown URL. */
export async function routeRequest(record: RequestRecord, exchange: Exchange, context: RouteContext): Promise<void> {
  const pathname = new URL(record.path, 'http://upstream').pathname;
  if (record.method === 'POST' && pathname === '/v1/chat/completions') return chatCompletion(record, exchange, context);
  if (record.method === 'POST' && pathname === '/v1/embeddings') return embeddings(record, exchange, context);
  if (record.method === 'GET' && pathname === '/v1/models') {
    return exchange.sendJson(200, { object: 'list', data: context.models().map(modelObject) });
  }
  const modelPath = /^\/v1\/models\/(.+)$/.exec(pathname);
  if (record.method === 'GET' && modelPath?.[1]) {
    // Ids may contain slashes (`vendor/model`), so the rest of the path is the id.
    const modelId = decodeURIComponent(modelPath[1]);
    if (context.models().includes(modelId)) return exchange.sendJson(200, modelObject(modelId));
    return exchange.sendJson(404, openAiErrorBody(404, { message: `The model '${modelId}' does not exist` }));
  }
  exchange.sendJson(404, openAiErrorBody(404, { message: `Invalid URL (${record.method} ${pathname})`, code: null }));
}

async function chatCompletion(record: RequestRecord, exchange: Exchange, context: RouteContext): Promise<void> {
  const body = record.body;
  // Validated before a step is taken, so a malformed request does not eat the script.
  if (!isRecord(body) || typeof body.model !== 'string' || !Array.isArray(body.messages)) {
    return exchange.sendJson(400, openAiErrorBody(400, { message: 'model (string) and messages (array) are required.' }));
  }
  const scripted = context.queue.take('chat.completions', body.model);
  context.log.update(record, { step: scripted });
  const defaultReply = context.defaultReply();
  const step: ScriptedStep = scripted ?? { kind: 'reply', ...defaultReply };
  const render = (answering: AnsweringStep) =>
    resolveReply(answering, {
      requestBody: body,
      defaultContent: defaultReply.content ?? DEFAULT_REPLY_CONTENT,
      nextId: context.nextId,
    });
  if (body.stream !== true || step.kind === 'error') {
    return answerOnce(exchange, step, (answering) => completionBody(render(answering)));
  }
  const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
  return answerStream(exchange, step, streamFrames(render(step), includeUsage));
}

async function embeddings(record: RequestRecord, exchange: Exchange, context: RouteContext): Promise<void> {
  const body = record.body;
  const texts = isRecord(body) ? embeddingInputs(body.input) : undefined;
  if (!isRecord(body) || typeof body.model !== 'string' || !texts) {
    return exchange.sendJson(400, openAiErrorBody(400, { message: 'model (string) and a non-empty input are required.' }));
  }
  const override = context.embeddingsOverride();
  const scripted = context.queue.take('embeddings', body.model) ?? (override && texts.some(override.matches) ? override.step : undefined);
  context.log.update(record, { step: scripted });
  return answerOnce(exchange, scripted ?? { kind: 'reply' }, () => embeddingsBody(body, texts, context.embeddingDimensions, context.embeddingScale));
}

function modelObject(id: string) {
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'scripted-upstream' };
}
