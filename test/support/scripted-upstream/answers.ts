import { openAiErrorBody } from './error-body.js';
import type { Exchange } from './exchange.js';
import type { ErrorStep, ScriptedStep } from './steps.js';

/** Every step that produces (some of) a model answer rather than an error. */
export type AnsweringStep = Exclude<ScriptedStep, ErrorStep>;

/**
 * A whole-body answer (non-streamed chat, embeddings, and errors on any
 * request: OpenAI refuses a stream before it opens it). `success` builds the
 * body only when the step actually answers.
 */
export async function answerOnce(exchange: Exchange, step: ScriptedStep, success: (step: AnsweringStep) => unknown): Promise<void> {
  await exchange.pause(step.firstByteDelayMs);
  switch (step.kind) {
    case 'error':
      exchange.sendJson(step.status, step.body ?? openAiErrorBody(step.status, step), step.headers);
      return;
    case 'hang':
      // Leave the response open: the client's abort or the upstream's close ends it.
      return;
    case 'disconnect':
      exchange.cut();
      return;
    default:
      if (step.rawBody !== undefined) exchange.sendJsonText(200, step.rawBody);
      else exchange.sendJson(200, success(step));
  }
}

/** A streamed answer: `frames` are the data payloads, the first being the opening role frame. */
export async function answerStream(exchange: Exchange, step: AnsweringStep, frames: readonly unknown[]): Promise<void> {
  await exchange.pause(step.firstByteDelayMs);
  switch (step.kind) {
    case 'hang':
      if (step.afterChunks !== undefined) await writeFrames(exchange, frames, step.delayMs, step.afterChunks);
      return;
    case 'disconnect':
      await writeFrames(exchange, frames, step.delayMs, step.afterChunks ?? 1);
      exchange.cut();
      return;
    default:
      await writeFrames(exchange, frames, step.delayMs, frames.length);
      await exchange.pause(step.delayMs);
      await exchange.endEventStream();
  }
}

/** Opens the stream and writes the opening frame plus up to `limit` further frames, `delayMs` apart. */
async function writeFrames(exchange: Exchange, frames: readonly unknown[], delayMs: number | undefined, limit: number): Promise<void> {
  exchange.startEventStream();
  const [opening, ...rest] = frames;
  await exchange.writeEvent(opening);
  for (const frame of rest.slice(0, limit)) {
    await exchange.pause(delayMs);
    await exchange.writeEvent(frame);
  }
}
