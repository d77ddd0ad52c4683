/**
 * The parts of an OpenAI chat message the gateway reads or rewrites. Other
 * fields (name, refusal, audio, provider extensions…) pass through untouched,
 * so the index signature stays open.
 */
export interface ChatContentPart {
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface ChatToolCall {
  readonly id: string;
  readonly [key: string]: unknown;
}

export interface ChatMessage {
  readonly role: string;
  readonly content?: string | readonly ChatContentPart[] | null;
  readonly tool_calls?: readonly ChatToolCall[];
  readonly tool_call_id?: string;
  readonly [key: string]: unknown;
}

export type ChatContent = ChatMessage['content'];

/** System and developer messages carry instructions, not turns. */
export function isInstruction(message: ChatMessage): boolean {
  return message.role === 'system' || message.role === 'developer';
}

function isTextPart(part: ChatContentPart): part is ChatContentPart & { text: string } {
  return part.type === 'text' && typeof part.text === 'string';
}

/** The text of a message's content; non-text parts (images, audio, files) contribute nothing. */
export function textOf(content: ChatContent): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.filter(isTextPart).map((part) => part.text).join('\n');
}

/** Content as parts, so string and multi-part contents can be combined without losing media. */
export function partsOf(content: ChatContent): ChatContentPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content ? [...content] : [];
}

/** Replaces the text of a content, keeping its media parts where they were. */
export function withText(content: ChatContent, text: string): ChatContent {
  if (!Array.isArray(content)) return text;
  const parts = content as readonly ChatContentPart[];
  const firstText = parts.findIndex(isTextPart);
  if (firstText === -1) return [{ type: 'text', text }, ...parts];
  const before = parts.slice(0, firstText).filter((part) => !isTextPart(part));
  const after = parts.slice(firstText + 1).filter((part) => !isTextPart(part));
  return [...before, { type: 'text', text }, ...after];
}
