import type { ChatMessage } from '../ai-gateways/index.js';
import type { ToolKind } from '../tools/index.js';

/**
 * requested → completed | failed, or, for tools that need approval,
 * requested → pending_approval → approved → completed | failed, or → rejected.
 */
export type ToolCallStatus = 'requested' | 'pending_approval' | 'approved' | 'rejected' | 'completed' | 'failed';

/** One tool call of a turn with what came of it, as stored on the reply and shown by every contract. */
export interface ToolCallRecord {
  readonly id: string;
  readonly name: string;
  /** The arguments exactly as the model wrote them (JSON text, possibly malformed). */
  readonly arguments: string;
  readonly kind: ToolKind | 'unknown';
  readonly status: ToolCallStatus;
  /** What the model read back; null while the call waits for approval. */
  readonly result: string | null;
  readonly isError: boolean;
  readonly structured?: unknown;
  /** Why a person rejected the call. */
  readonly reason?: string | null;
}

/** One model call of a turn: the text it wrote, then the tools it called (none on the last step). */
export interface ToolStep {
  readonly content: string;
  readonly calls: readonly ToolCallRecord[];
}

/** The stored form (the `tool_calls` column of the reply): present only when the turn called tools. */
export function encodeSteps(steps: readonly ToolStep[]): string | null {
  return steps.some((step) => step.calls.length > 0) ? JSON.stringify(steps) : null;
}

export function decodeSteps(stored: string | null): ToolStep[] {
  if (!stored) return [];
  const parsed = JSON.parse(stored) as unknown;
  return Array.isArray(parsed) && parsed.every((step) => step && typeof step === 'object' && 'calls' in step) ? (parsed as ToolStep[]) : [];
}

/** The calls of a reply, flattened, for contracts that list a message's tool calls. */
export function callsOf(steps: readonly ToolStep[]): ToolCallRecord[] {
  return steps.flatMap((step) => step.calls);
}

/**
 * A reply with tool steps as the model must see it again: each step's text
 * with its calls, then the results, then the final text. With `withResults`
 * false (an old turn beyond toolContextCount) only the text remains.
 */
export function stepsAsMessages(steps: readonly ToolStep[], withResults: boolean): ChatMessage[] {
  if (!withResults) {
    const text = steps.map((step) => step.content).join('');
    return text ? [{ role: 'assistant', content: text }] : [];
  }
  const messages: ChatMessage[] = [];
  for (const step of steps) {
    const decided = step.calls.filter((call) => call.result !== null);
    if (decided.length === 0) {
      if (step.content) messages.push({ role: 'assistant', content: step.content });
      continue;
    }
    messages.push({
      role: 'assistant',
      content: step.content || null,
      tool_calls: decided.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
    });
    for (const call of decided) messages.push({ role: 'tool', tool_call_id: call.id, content: call.result ?? '' });
  }
  return messages;
}
