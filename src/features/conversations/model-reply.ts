import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../../platform/errors.js';
import { type ChatCompletionResult, type TokenUsage, readUsage } from '../inference/index.js';

export interface ToolCallRequest {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

export interface ModelReply {
  readonly content: string;
  readonly toolCalls: ToolCallRequest[];
  readonly finishReason: string | null;
  readonly usage: TokenUsage | undefined;
}

interface ChoiceDelta {
  content?: unknown;
  tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }>;
}

interface StreamFrame {
  error?: { message?: string; code?: string; type?: string };
  choices?: Array<{ delta?: ChoiceDelta; message?: ChoiceDelta; finish_reason?: string | null }>;
  usage?: unknown;
}

/** Accumulates a reply from OpenAI chat-completion chunks (or one whole completion). */
class ReplyBuilder {
  content = '';
  finishReason: string | null = null;
  usage: TokenUsage | undefined;
  private readonly calls = new Map<number, { id: string; name: string; arguments: string }>();

  constructor(private readonly onDelta: (text: string) => void) {}

  add(frame: StreamFrame): void {
    if (frame.error) {
      // The relay's error event says how the provider failed; a stall keeps its timeout kind.
      const kind = frame.error.type === 'timeout_error' ? 'upstream_timeout' : 'upstream';
      throw new AppError(kind, frame.error.code ?? 'upstream_error', frame.error.message ?? 'The model provider failed mid-reply.');
    }
    if (frame.usage) this.usage = readUsage(frame.usage);
    const choice = frame.choices?.[0];
    if (!choice) return;
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    const delta = choice.delta ?? choice.message;
    if (!delta) return;
    if (typeof delta.content === 'string' && delta.content !== '') {
      this.content += delta.content;
      this.onDelta(delta.content);
    }
    for (const [position, call] of (delta.tool_calls ?? []).entries()) {
      const index = call.index ?? position;
      const current = this.calls.get(index) ?? { id: '', name: '', arguments: '' };
      if (call.id) current.id = call.id;
      if (call.function?.name) current.name += call.function.name;
      if (call.function?.arguments) current.arguments += call.function.arguments;
      this.calls.set(index, current);
    }
  }

  reply(): ModelReply {
    const toolCalls = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, call]) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } }));
    return { content: this.content, toolCalls, finishReason: this.finishReason, usage: this.usage };
  }
}

/**
 * Reads the gateway's answer to a chat completion as the agent runtime needs
 * it: text deltas as they come, then the whole reply with tool calls and usage.
 * An error event in the stream becomes an AppError, as it would for a client.
 */
export async function readModelReply(result: ChatCompletionResult, onDelta: (text: string) => void): Promise<ModelReply> {
  const builder = new ReplyBuilder(onDelta);
  if (result.kind === 'json') {
    builder.add(result.body as StreamFrame);
    return builder.reply();
  }
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const takeFrames = (final: boolean) => {
    let boundary = pending.search(/\r?\n\r?\n/);
    while (boundary !== -1 || (final && pending.trim() !== '')) {
      const frame = boundary === -1 ? pending : pending.slice(0, boundary);
      pending = boundary === -1 ? '' : pending.slice(boundary).replace(/^\r?\n\r?\n/, '');
      const data = frame
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data && data !== '[DONE]') builder.add(JSON.parse(data) as StreamFrame);
      boundary = pending.search(/\r?\n\r?\n/);
    }
  };
  for await (const chunk of result.body) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    takeFrames(false);
  }
  pending += decoder.end();
  takeFrames(true);
  return builder.reply();
}
