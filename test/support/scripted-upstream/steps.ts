import type { IncomingHttpHeaders } from 'node:http';

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface ScriptedToolCall {
  /** Defaults to a sequential `call_scripted_N`. */
  readonly id?: string;
  readonly name: string;
  /** The JSON text exactly as the model would emit it; it is not re-serialized. */
  readonly arguments: string;
}

export interface ScriptedUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly cached_tokens?: number;
}

/** How a streamed answer is cut into frames and paced; non-streamed answers only honour `firstByteDelayMs`. */
export interface StreamPacing {
  /** Content and each tool call's arguments are split into this many near-equal pieces (default 3). */
  readonly chunkCount?: number;
  /** Exact content pieces; `content`, when also given, must equal their concatenation. */
  readonly chunks?: readonly string[];
  /** Pause before every frame after the first, and before `[DONE]`. */
  readonly delayMs?: number;
  /** Pause before the status line and headers are written. */
  readonly firstByteDelayMs?: number;
}

/** What the model says. Without `content` and `toolCalls`, the upstream's default content is used. */
export interface ReplyScript extends StreamPacing {
  readonly content?: string;
  readonly toolCalls?: readonly ScriptedToolCall[];
  /** Defaults to `tool_calls` when there are tool calls, else `stop`. */
  readonly finishReason?: FinishReason;
  /** Defaults to the deterministic estimate (see `countTokens`). */
  readonly usage?: ScriptedUsage;
  /** The `model` echoed in the answer; defaults to the requested model. */
  readonly model?: string;
  /** Non-streamed only: this text, as given, is the 200's `application/json` body instead of the answer (a broken or unusual provider). */
  readonly rawBody?: string;
}

export interface ReplyStep extends ReplyScript {
  readonly kind: 'reply';
}

/** A reply that takes a while to start: the same as `reply` with a required first-byte delay. */
export interface SlowStep extends ReplyScript {
  readonly kind: 'slow';
  readonly firstByteDelayMs: number;
}

export interface ErrorStep {
  readonly kind: 'error';
  readonly status: number;
  /** Replaces the whole OpenAI-shaped error body. */
  readonly body?: unknown;
  readonly message?: string;
  readonly type?: string;
  readonly code?: string | null;
  /** Extra response headers, e.g. `{ 'retry-after': '1' }`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly firstByteDelayMs?: number;
}

/**
 * Never answers. With `afterChunks` on a streamed request, the headers, the
 * opening role frame and that many frames go out first, so a stall mid-stream
 * can be scripted too.
 */
export interface HangStep extends ReplyScript {
  readonly kind: 'hang';
  readonly afterChunks?: number;
}

/**
 * Destroys the socket: a streamed request first gets the headers, the opening
 * role frame and `afterChunks` frames (default 1); a non-streamed request gets nothing.
 */
export interface DisconnectStep extends ReplyScript {
  readonly kind: 'disconnect';
  readonly afterChunks?: number;
}

export type ScriptedStep = ReplyStep | SlowStep | ErrorStep | HangStep | DisconnectStep;

/** The endpoints a step can be scripted for. */
export type ScriptedRoute = 'chat.completions' | 'embeddings';

export interface EnqueueOptions {
  /** Only a request for this model consumes the step; it waits in the queue until one arrives. */
  readonly model?: string;
  /** Defaults to `chat.completions`, so model listings and embeddings never eat chat steps. */
  readonly route?: ScriptedRoute;
}

/**
 * A standing answer for embeddings requests: every request with an input text
 * that `matches` gets `step`, until it is cleared, so a provider that keeps
 * rejecting one text (through the client's retries) can be scripted. Queued
 * steps still come first.
 */
export interface EmbeddingsOverride {
  readonly matches: (text: string) => boolean;
  readonly step: ScriptedStep;
}

export interface RecordedRequest {
  /** The `x-request-id` the upstream answered with. */
  readonly id: string;
  readonly method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** Lower-cased, as Node received them. */
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  readonly body: unknown;
  readonly receivedAt: Date;
  /** The scripted step that answered; undefined for the default reply and non-scripted routes. */
  readonly step: ScriptedStep | undefined;
  /** True once the client closed the connection before the response was complete. */
  readonly aborted: boolean;
  /** True once the whole response was handed to the socket. */
  readonly completed: boolean;
}

/** Catches scripting mistakes when the step is enqueued rather than as a confusing wire failure later. */
export function assertValidStep(step: ScriptedStep): void {
  const problems: string[] = [];
  if (step.kind === 'error') {
    if (!Number.isInteger(step.status) || step.status < 400 || step.status > 599) problems.push('status must be 400-599');
  } else {
    if (step.chunkCount !== undefined && (!Number.isInteger(step.chunkCount) || step.chunkCount < 1)) {
      problems.push('chunkCount must be a positive integer');
    }
    if (step.chunks && step.content !== undefined && step.chunks.join('') !== step.content) {
      problems.push('chunks must concatenate to content');
    }
    if ((step.kind === 'hang' || step.kind === 'disconnect') && step.afterChunks !== undefined && step.afterChunks < 0) {
      problems.push('afterChunks must not be negative');
    }
  }
  for (const delay of [step.firstByteDelayMs, 'delayMs' in step ? step.delayMs : undefined]) {
    if (delay !== undefined && !(delay >= 0)) problems.push('delays must be non-negative');
  }
  if (problems.length > 0) throw new Error(`invalid scripted ${step.kind} step: ${problems.join('; ')}`);
}
