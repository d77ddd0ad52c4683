import type { TextStreamPart, ToolSet } from 'ai';
import { openAiFinishReason, openAiUsage } from './ai-sdk-response.js';

type StreamPart = TextStreamPart<ToolSet>;

export interface ChunkStreamOptions {
  readonly id: string;
  /** The model the client asked for, as every chunk names it. */
  readonly model: string;
  readonly signal: AbortSignal;
  /** Turns an `error` part, or a failure to read the next part (the body broke off, grew too large), into the error that ends the stream. */
  readonly mapError: (error: unknown) => unknown;
}

interface ToolCallState {
  readonly index: number;
  argumentsSent: boolean;
}

/**
 * Renders AI SDK stream parts as OpenAI `chat.completion.chunk` SSE frames:
 * a role frame, content, reasoning (`reasoning_content`) and tool call deltas, a finish frame, a usage frame
 * (always — metering needs it; the relay drops it for clients that did not
 * ask), then `[DONE]`. Returning early (the reader left) cancels the parts.
 */
export async function* chunkFrames(parts: AsyncIterator<StreamPart>, options: ChunkStreamOptions): AsyncGenerator<string> {
  const created = Math.floor(Date.now() / 1000);
  const frame = (body: Record<string, unknown>) =>
    `data: ${JSON.stringify({ id: options.id, object: 'chat.completion.chunk', created, model: options.model, ...body })}\n\n`;
  const delta = (value: Record<string, unknown>, finishReason: string | null = null) =>
    frame({ choices: [{ index: 0, delta: value, logprobs: null, finish_reason: finishReason }] });
  const toolCalls = new Map<string, ToolCallState>();
  const startToolCall = (id: string): ToolCallState => {
    const state = { index: toolCalls.size, argumentsSent: false };
    toolCalls.set(id, state);
    return state;
  };
  const nextPart = async (): Promise<IteratorResult<StreamPart>> => {
    try {
      return await parts.next();
    } catch (error) {
      throw options.mapError(error);
    }
  };
  try {
    yield delta({ role: 'assistant', content: '' });
    for (let next = await nextPart(); !next.done; next = await nextPart()) {
      const part = next.value;
      switch (part.type) {
        case 'text-delta':
          if (part.text) yield delta({ content: part.text });
          break;
        case 'reasoning-delta':
          // Signature-only deltas (Anthropic) carry no text; the client has no use for them.
          if (part.text) yield delta({ reasoning_content: part.text });
          break;
        case 'tool-input-start': {
          const state = startToolCall(part.id);
          yield delta({ tool_calls: [{ index: state.index, id: part.id, type: 'function', function: { name: part.toolName, arguments: '' } }] });
          break;
        }
        case 'tool-input-delta': {
          const state = toolCalls.get(part.id);
          if (!state || !part.delta) break;
          state.argumentsSent = true;
          yield delta({ tool_calls: [{ index: state.index, function: { arguments: part.delta } }] });
          break;
        }
        case 'tool-call': {
          // A call whose input was not streamed (or streamed empty) still reaches the client whole.
          let state = toolCalls.get(part.toolCallId);
          if (!state) {
            state = startToolCall(part.toolCallId);
            yield delta({ tool_calls: [{ index: state.index, id: part.toolCallId, type: 'function', function: { name: part.toolName, arguments: '' } }] });
          }
          if (!state.argumentsSent) {
            state.argumentsSent = true;
            yield delta({ tool_calls: [{ index: state.index, function: { arguments: JSON.stringify(part.input ?? {}) } }] });
          }
          break;
        }
        case 'finish':
          yield delta({}, openAiFinishReason(part.finishReason));
          yield frame({ choices: [], usage: openAiUsage(part.totalUsage) });
          break;
        case 'error':
          throw options.mapError(part.error);
        case 'abort':
          throw options.signal.reason ?? new Error('The stream was aborted.');
        default:
          break;
      }
    }
    yield 'data: [DONE]\n\n';
  } finally {
    await parts.return?.();
  }
}
