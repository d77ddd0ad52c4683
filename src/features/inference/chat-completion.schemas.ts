import { z } from 'zod';

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
