import type { MessageError, MessageUsage } from './conversation.views.js';
import type { ToolCallRecord } from './tool-steps.js';

/** How a run of a turn ends; `awaiting_approval` pauses it until a person decides its pending tool calls. */
export type TurnEndStatus = 'completed' | 'failed' | 'cancelled' | 'awaiting_approval';

/**
 * What a turn's stream carries. Every event has an id `<turnId>:<position>`:
 * the position is the length of the reply so far, so a client that comes back
 * with its last event id gets exactly the text it has not seen.
 */
export type TurnEvent =
  | {
      readonly type: 'turn';
      readonly id: string;
      readonly turnId: string;
      readonly conversationId: string;
      readonly userMessageId: string;
      readonly assistantMessageId: string;
    }
  | { readonly type: 'delta'; readonly id: string; readonly content: string }
  | { readonly type: 'tool'; readonly id: string; readonly event: 'tool_call' | 'tool_result'; readonly call: ToolCallRecord }
  | {
      readonly type: 'done';
      readonly id: string;
      readonly turnId: string;
      readonly messageId: string;
      readonly status: TurnEndStatus;
      readonly content: string;
      readonly usage: MessageUsage | null;
      readonly error: MessageError | null;
    };

export function eventId(turnId: string, position: number | 'end'): string {
  return `${turnId}:${position}`;
}

/** Reads a `Last-Event-ID`; undefined when it is not one of ours (the stream then starts from the beginning). */
export function parseEventId(value: string | undefined): { turnId: string; position: number | 'end' } | undefined {
  if (!value) return undefined;
  const separator = value.lastIndexOf(':');
  if (separator <= 0) return undefined;
  const turnId = value.slice(0, separator);
  const position = value.slice(separator + 1);
  if (position === 'end') return { turnId, position };
  const offset = Number(position);
  return Number.isSafeInteger(offset) && offset >= 0 ? { turnId, position: offset } : undefined;
}
