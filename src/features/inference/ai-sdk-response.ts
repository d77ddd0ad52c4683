import type { FinishReason, LanguageModelUsage } from 'ai';

/** OpenAI's `usage` object, with cache reads where OpenAI reports them. */
export function openAiUsage(usage: LanguageModelUsage): Record<string, unknown> {
  const promptTokens = usage.inputTokens ?? 0;
  const completionTokens = usage.outputTokens ?? 0;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: usage.totalTokens ?? promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: usage.inputTokenDetails.cacheReadTokens ?? 0 },
  };
}

/** OpenAI has no 'error' or 'other' finish reason; a finished answer is reported as a normal stop. */
export function openAiFinishReason(reason: FinishReason): 'stop' | 'length' | 'tool_calls' | 'content_filter' {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export interface GeneratedAnswer {
  readonly id: string;
  readonly text: string;
  /** The model's reasoning (Anthropic thinking, Gemini thought summaries), when it shared any. */
  readonly reasoning?: string | undefined;
  readonly toolCalls: ReadonlyArray<{ readonly toolCallId: string; readonly toolName: string; readonly input: unknown }>;
  readonly finishReason: FinishReason;
  readonly usage: LanguageModelUsage;
}

/** A `generateText` result as an OpenAI `chat.completion`, named after the model the client asked for. */
export function toChatCompletion(answer: GeneratedAnswer, model: string): Record<string, unknown> {
  const toolCalls = answer.toolCalls.map((call) => ({
    id: call.toolCallId,
    type: 'function',
    function: { name: call.toolName, arguments: JSON.stringify(call.input ?? {}) },
  }));
  return {
    id: answer.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          // OpenAI sends null content when the model only called tools.
          content: answer.text === '' && toolCalls.length > 0 ? null : answer.text,
          // Where DeepSeek-style clients (and OpenAI-compatible SDKs that know them) look for reasoning.
          ...(answer.reasoning ? { reasoning_content: answer.reasoning } : {}),
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: openAiFinishReason(answer.finishReason),
      },
    ],
    usage: openAiUsage(answer.usage),
  };
}
