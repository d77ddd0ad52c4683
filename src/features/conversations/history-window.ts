import type { DatabaseHandle } from '../../platform/db/database.js';
import { type ChatMessage, estimatePromptTokens } from '../ai-gateways/index.js';
import { type HistoryRow, findWindowStart, listMessageRange } from './conversation.repository.js';
import type { MessageStatus } from './conversation.table.js';
import { decodeSteps, stepsAsMessages } from './tool-steps.js';

/** Messages a later turn may see: a failed or unfinished reply is not part of the conversation's history. */
const USABLE: ReadonlySet<MessageStatus> = new Set(['completed', 'cancelled']);

export interface HistoryBudget {
  /** Estimated tokens the history may take. */
  readonly tokens: number;
  /** The most messages looked at, whatever their size. */
  readonly messages: number;
  /** How many past tool results stay in the context, newest first; null keeps all that fit (`toolContextCount`). */
  readonly toolResults?: number | null;
}

/** The same estimate the gateway's context budget uses, so a window that fits here fits there. */
export function estimateTextTokens(text: string): number {
  return estimatePromptTokens([{ role: 'user', content: text }]);
}

export function estimateMessageRowTokens(message: ChatMessage): number {
  return estimatePromptTokens([message]);
}

function toChatMessage(row: HistoryRow): ChatMessage {
  if (row.role === 'tool') return { role: 'tool', tool_call_id: row.tool_call_id ?? '', content: row.content };
  const content = row.parts ? (JSON.parse(row.parts) as ChatMessage['content']) : row.content;
  return { role: row.role, content };
}

/**
 * Replies that called tools come back as the model saw them — calls, results,
 * final text — for the newest `toolResults` results; older ones shrink to
 * their text, so old tool output does not crowd out the conversation.
 */
function toChatMessages(rows: readonly HistoryRow[], toolResults: number | null | undefined): ChatMessage[] {
  let budget = toolResults ?? Number.POSITIVE_INFINITY;
  const expanded: ChatMessage[][] = [];
  for (const row of [...rows].reverse()) {
    const steps = row.role === 'assistant' ? decodeSteps(row.tool_calls) : [];
    if (steps.length === 0) {
      expanded.push([toChatMessage(row)]);
      continue;
    }
    const results = steps.reduce((count, step) => count + step.calls.filter((call) => call.result !== null).length, 0);
    const keep = results <= budget;
    if (keep) budget -= results;
    else budget = 0;
    expanded.push(stepsAsMessages(steps, keep));
  }
  return expanded.reverse().flat();
}

/**
 * The newest messages before `beforeSeq` that fit the budget, oldest first.
 * The database chooses the window from stored sizes (one index range scan);
 * contents are loaded for the chosen window alone, so a long conversation
 * costs no more than a short one.
 */
export async function loadHistoryWindow(
  db: DatabaseHandle,
  orgId: string,
  conversationId: string,
  beforeSeq: number,
  budget: HistoryBudget,
): Promise<ChatMessage[]> {
  const fromSeq = await findWindowStart(db, orgId, conversationId, beforeSeq, { tokens: budget.tokens, messages: budget.messages, usable: [...USABLE] });
  if (fromSeq === null) return [];
  const rows = await listMessageRange(db, orgId, conversationId, fromSeq, beforeSeq);
  const messages = toChatMessages(
    rows.filter((row) => USABLE.has(row.status) && (row.content !== '' || row.tool_calls)),
    budget.toolResults,
  );
  // A tool result whose call fell out of the window would be refused by providers.
  while (messages[0]?.role === 'tool') messages.shift();
  return messages;
}
