import { z } from 'zod';
import { JsonLiteral } from '../../platform/json-literal.js';

const contentPart = z.looseObject({ type: z.string().min(1) });

const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_call_id: z.string().optional(),
  tool_calls: z.array(z.looseObject({ id: z.string(), type: z.string(), function: z.looseObject({ name: z.string() }) })).optional(),
});

/**
 * The OpenAI chat completions request. Only what Agentry acts on is
 * validated; every other field (tools, tool_choice, response_format,
 * metadata, provider extensions…) is forwarded untouched.
 */
export const chatCompletionRequest = z
  .looseObject({
    model: z.string().min(1).max(300).describe('A gateway id, or `@<connection>/<model>` such as `@openai/gpt-4o-mini`.'),
    messages: z.array(message).min(1),
    stream: z.boolean().optional(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
    n: z.literal(1, { error: 'only n = 1 is supported' }).optional(),
  })
  .meta({
    example: {
      model: '@openai/gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You answer in one sentence.' },
        { role: 'user', content: 'What is the capital of France?' },
      ],
      stream: false,
      metadata: { ticket: '4711' },
    },
  });
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
}

/** Reads OpenAI's `usage` object, tolerating providers that omit parts of it. */
export function readUsage(usage: unknown): TokenUsage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const value = usage as { prompt_tokens?: unknown; completion_tokens?: unknown; prompt_tokens_details?: { cached_tokens?: unknown } };
  const number = (field: unknown) => (typeof field === 'number' && Number.isFinite(field) ? field : 0);
  return {
    promptTokens: number(value.prompt_tokens),
    completionTokens: number(value.completion_tokens),
    cachedTokens: number(value.prompt_tokens_details?.cached_tokens),
  };
}

const USAGE_FIELD = /"usage"\s*:\s*\{/;
/** Tried first: nearly every frame has no usage, and the literal is found faster than the pattern is ruled out. */
const USAGE_NAME = new JsonLiteral('"usage"');

/** Whether a streamed `data:` payload carries a usage object; the substring check spares the regular expression on nearly every frame. */
export function carriesUsage(data: string): boolean {
  return USAGE_NAME.isIn(data) && USAGE_FIELD.test(data);
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Like `every`, but holes count as `undefined` (as in zod), not skipped. */
function allItems(items: readonly unknown[], test: (item: unknown) => boolean): boolean {
  for (let index = 0; index < items.length; index += 1) if (!test(items[index])) return false;
  return true;
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function isToolCall(value: unknown): boolean {
  return isObject(value) && typeof value.id === 'string' && typeof value.type === 'string' && isObject(value.function) && typeof value.function.name === 'string';
}

function isContent(content: unknown): boolean {
  if (content === undefined || content === null || typeof content === 'string') return true;
  return Array.isArray(content) && allItems(content, (part) => isObject(part) && typeof part.type === 'string' && part.type.length > 0);
}

function isMessage(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value.role === 'string' &&
    ROLES.has(value.role) &&
    isContent(value.content) &&
    isOptionalString(value.name) &&
    isOptionalString(value.tool_call_id) &&
    (value.tool_calls === undefined || (Array.isArray(value.tool_calls) && allItems(value.tool_calls, isToolCall)))
  );
}

/**
 * True exactly when `chatCompletionRequest` accepts `body`, checked in place:
 * zod's parse copies every message, which on the gateway's hot path cost more
 * than anything else in validation. A request this refuses goes through zod,
 * whose errors name the field and the rule. A test holds the two in agreement.
 */
export function isWellFormedChatCompletionRequest(body: unknown): body is ChatCompletionRequest {
  if (!isObject(body)) return false;
  const { model, messages, stream, stream_options: streamOptions, n } = body;
  return (
    typeof model === 'string' &&
    model.length >= 1 &&
    model.length <= 300 &&
    Array.isArray(messages) &&
    messages.length >= 1 &&
    allItems(messages, isMessage) &&
    (stream === undefined || typeof stream === 'boolean') &&
    (streamOptions === undefined ||
      streamOptions === null ||
      (isObject(streamOptions) && (streamOptions.include_usage === undefined || typeof streamOptions.include_usage === 'boolean'))) &&
    (n === undefined || n === 1)
  );
}
