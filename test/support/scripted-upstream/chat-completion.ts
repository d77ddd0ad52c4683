import type { FinishReason, ReplyScript } from './steps.js';

export const DEFAULT_REPLY_CONTENT = 'This is a scripted reply.';
const DEFAULT_CHUNK_COUNT = 3;

/** The token estimate every default usage is built from: one token per started group of four characters. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Prompt tokens for a request's `messages`: the text of string contents and of `text` parts, nothing else. */
export function promptTokensOf(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  let characters = 0;
  for (const message of messages) {
    const content: unknown = isRecord(message) ? message.content : undefined;
    if (typeof content === 'string') characters += content.length;
    else if (Array.isArray(content)) {
      for (const part of content) {
        if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') characters += part.text.length;
      }
    }
  }
  return Math.ceil(characters / 4);
}

export interface UsageBody {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

/** A reply with every default filled in, so both wire formats are built from the same facts. */
export interface ResolvedReply {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  readonly content: string | null;
  readonly contentPieces: readonly string[];
  readonly toolCalls: ReadonlyArray<{ id: string; name: string; arguments: string }>;
  readonly finishReason: FinishReason;
  readonly usage: UsageBody;
  readonly chunkCount: number;
}

export interface ReplyContext {
  readonly requestBody: Record<string, unknown>;
  readonly defaultContent: string;
  readonly nextId: (prefix: string) => string;
}

export function resolveReply(script: ReplyScript, context: ReplyContext): ResolvedReply {
  const toolCalls = (script.toolCalls ?? []).map((call) => ({
    id: call.id ?? context.nextId('call_scripted_'),
    name: call.name,
    arguments: call.arguments,
  }));
  const content = script.content ?? script.chunks?.join('') ?? (toolCalls.length > 0 ? null : context.defaultContent);
  const chunkCount = script.chunkCount ?? DEFAULT_CHUNK_COUNT;
  const completionText = (content ?? '') + toolCalls.map((call) => call.arguments).join('');
  const promptTokens = script.usage?.prompt_tokens ?? promptTokensOf(context.requestBody.messages);
  const completionTokens = script.usage?.completion_tokens ?? countTokens(completionText);
  const requestedModel = context.requestBody.model;
  return {
    id: context.nextId('chatcmpl-scripted-'),
    created: Math.floor(Date.now() / 1000),
    model: script.model ?? (typeof requestedModel === 'string' ? requestedModel : 'scripted-model'),
    content,
    contentPieces: script.chunks ? [...script.chunks] : splitIntoPieces(content ?? '', chunkCount),
    toolCalls,
    finishReason: script.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: script.usage?.cached_tokens ?? 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
    chunkCount,
  };
}

/** The non-streamed `chat.completion` object. */
export function completionBody(reply: ResolvedReply): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: reply.content, refusal: null };
  if (reply.toolCalls.length > 0) {
    message.tool_calls = reply.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  return {
    id: reply.id,
    object: 'chat.completion',
    created: reply.created,
    model: reply.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.finishReason }],
    usage: reply.usage,
  };
}

/**
 * Every `data:` payload of the streamed answer except `[DONE]`, in order: the
 * role frame, one frame per content piece, per tool call a frame with id, type
 * and name followed by its argument fragments, the finish frame, and (with
 * `include_usage`) the usage frame with empty `choices`. With `include_usage`
 * every other frame carries `usage: null`, as OpenAI's do.
 */
export function streamFrames(reply: ResolvedReply, includeUsage: boolean): Array<Record<string, unknown>> {
  const frame = (delta: Record<string, unknown>, finishReason: FinishReason | null = null) => ({
    id: reply.id,
    object: 'chat.completion.chunk',
    created: reply.created,
    model: reply.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const frames: Array<Record<string, unknown>> = [frame({ role: 'assistant', content: '', refusal: null })];
  for (const piece of reply.contentPieces) frames.push(frame({ content: piece }));
  reply.toolCalls.forEach((call, index) => {
    frames.push(
      frame({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
    );
    for (const fragment of splitIntoPieces(call.arguments, reply.chunkCount)) {
      frames.push(frame({ tool_calls: [{ index, function: { arguments: fragment } }] }));
    }
  });
  frames.push(frame({}, reply.finishReason));
  if (includeUsage) {
    frames.push({ id: reply.id, object: 'chat.completion.chunk', created: reply.created, model: reply.model, choices: [], usage: reply.usage });
  }
  return frames;
}

/** Near-equal pieces split on code points, so no piece ends inside a surrogate pair. */
export function splitIntoPieces(text: string, count: number): string[] {
  const codePoints = Array.from(text);
  if (codePoints.length === 0) return [];
  // Exactly `count` pieces (fewer only when there are fewer code points): the
  // first `remainder` pieces take one extra code point.
  const pieces = Math.min(count, codePoints.length);
  const base = Math.floor(codePoints.length / pieces);
  const remainder = codePoints.length % pieces;
  const result: string[] = [];
  let start = 0;
  for (let piece = 0; piece < pieces; piece += 1) {
    const end = start + base + (piece < remainder ? 1 : 0);
    result.push(codePoints.slice(start, end).join(''));
    start = end;
  }
  return result;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
