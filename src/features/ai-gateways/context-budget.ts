import { ValidationError } from '../../platform/errors.js';
import { type ChatMessage, isInstruction, textOf } from './chat-message.js';

/**
 * A provider-independent token estimate: ceil(characters / 4) per message,
 * plus 4 tokens of per-message overhead (role and separators), plus 85 tokens
 * per non-text part (OpenAI's cost of a low-detail image). Characters are the
 * text content, the name, and each tool call's function name and arguments.
 * No tokenizer is loaded: the budget must be cheap and the same for every model.
 */
export const MESSAGE_OVERHEAD_TOKENS = 4;
export const MEDIA_PART_TOKENS = 85;

export type ContextOverflowAction = 'Throw' | 'Truncate';

export interface FittedContext {
  readonly messages: ChatMessage[];
  readonly estimatedTokens: number;
  readonly droppedMessages: number;
}

function toolCallCharacters(message: ChatMessage): number {
  let characters = 0;
  for (const call of message.tool_calls ?? []) {
    const fn = call.function as { name?: unknown; arguments?: unknown } | undefined;
    characters += String(fn?.name ?? '').length + String(fn?.arguments ?? '').length;
  }
  return characters;
}

export function estimateMessageTokens(message: ChatMessage): number {
  const name = typeof message.name === 'string' ? message.name.length : 0;
  const characters = textOf(message.content).length + name + toolCallCharacters(message);
  const mediaParts = Array.isArray(message.content) ? message.content.filter((part) => part.type !== 'text').length : 0;
  return Math.ceil(characters / 4) + MESSAGE_OVERHEAD_TOKENS + mediaParts * MEDIA_PART_TOKENS;
}

export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((total, message) => total + estimateMessageTokens(message), 0);
}

function overflow(estimate: number, limit: number, afterTruncation: boolean): ValidationError {
  const prefix = afterTruncation ? 'even after dropping older messages, the conversation is' : 'the conversation is';
  return ValidationError.field(
    'messages',
    'context_overflow',
    `${prefix} about ${estimate} tokens (estimated as ceil(characters / 4) + ${MESSAGE_OVERHEAD_TOKENS} per message), over the gateway's contextMaximumSize of ${limit}`,
  );
}

/**
 * Messages that are dropped together, oldest first. An assistant turn that
 * called tools takes its tool results with it, wherever they are, so no `tool`
 * message is left answering a call the model never sees. Instructions and the
 * current turn (the last user message and everything after it) are never units.
 */
function droppableUnits(messages: readonly ChatMessage[]): number[][] {
  const lastUser = messages.findLastIndex((message) => message.role === 'user');
  const keepFrom = lastUser === -1 ? messages.length - 1 : lastUser;
  const claimed = new Set<number>();
  const units: number[][] = [];
  for (let index = 0; index < keepFrom; index += 1) {
    const message = messages[index] as ChatMessage;
    if (claimed.has(index) || isInstruction(message)) continue;
    const unit = [index];
    const callIds = new Set((message.tool_calls ?? []).map((call) => call.id));
    if (callIds.size > 0) {
      messages.forEach((candidate, candidateIndex) => {
        if (candidate.role === 'tool' && candidate.tool_call_id !== undefined && callIds.has(candidate.tool_call_id)) {
          unit.push(candidateIndex);
          claimed.add(candidateIndex);
        }
      });
    }
    units.push(unit);
  }
  return units;
}

/**
 * Keeps the messages within `limit` estimated tokens. Throw refuses an
 * oversized conversation; Truncate drops the oldest droppable units until it
 * fits, and refuses only when instructions plus the current turn alone are over.
 */
export function fitContext(messages: readonly ChatMessage[], limit: number, action: ContextOverflowAction): FittedContext {
  const estimate = estimatePromptTokens(messages);
  if (estimate <= limit) return { messages: [...messages], estimatedTokens: estimate, droppedMessages: 0 };
  if (action === 'Throw') throw overflow(estimate, limit, false);
  const dropped = new Set<number>();
  let remaining = estimate;
  for (const unit of droppableUnits(messages)) {
    if (remaining <= limit) break;
    for (const index of unit) {
      dropped.add(index);
      remaining -= estimateMessageTokens(messages[index] as ChatMessage);
    }
  }
  if (remaining > limit) throw overflow(remaining, limit, true);
  return {
    messages: messages.filter((_message, index) => !dropped.has(index)),
    estimatedTokens: remaining,
    droppedMessages: dropped.size,
  };
}
