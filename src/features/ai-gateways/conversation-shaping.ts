import { type ChatContent, type ChatMessage, isInstruction, partsOf, textOf, withText } from './chat-message.js';

/**
 * Rewrites of the message list for a gateway's template and for models with
 * conversation quirks (flags NoSystemInstruct and StrictUserAssistantTurns).
 * Each returns a new list and leaves the client's messages untouched.
 */

export const PROMPT_PLACEHOLDER = '{{prompt}}';
/** What opens a conversation that must start with a user turn but does not; LiteLLM uses the same for Anthropic. */
export const OPENING_USER_TURN = '.';

function applyTemplate(template: string, prompt: string): string {
  // split/join rather than replace(): a `$&` in the prompt must stay literal.
  if (template.includes(PROMPT_PLACEHOLDER)) return template.split(PROMPT_PLACEHOLDER).join(prompt);
  return prompt === '' ? template : `${template}\n\n${prompt}`;
}

/**
 * Puts the last user message into the template. With multi-part content the
 * text parts become one text part at the place of the first; images and other
 * media stay where they were.
 */
export function applyUserPromptTemplate(messages: readonly ChatMessage[], template: string): ChatMessage[] {
  const index = messages.findLastIndex((message) => message.role === 'user');
  if (index === -1) return [...messages];
  const message = messages[index] as ChatMessage;
  const shaped = [...messages];
  shaped[index] = { ...message, content: withText(message.content, applyTemplate(template, textOf(message.content))) };
  return shaped;
}

function prefixed(content: ChatContent, prefix: string): ChatContent {
  if (!Array.isArray(content)) return content ? `${prefix}\n\n${content}` : prefix;
  return [{ type: 'text', text: prefix }, ...partsOf(content)];
}

/** For models without a system role: all instructions, in order, open the first user turn; no system or developer message is sent. */
export function foldInstructionsIntoFirstUserTurn(messages: readonly ChatMessage[]): ChatMessage[] {
  const instructions = messages
    .filter(isInstruction)
    .map((message) => textOf(message.content))
    .filter((text) => text !== '')
    .join('\n\n');
  const turns = messages.filter((message) => !isInstruction(message));
  if (instructions === '') return turns;
  const firstUser = turns.findIndex((message) => message.role === 'user');
  if (firstUser === -1) return [{ role: 'user', content: instructions }, ...turns];
  const message = turns[firstUser] as ChatMessage;
  turns[firstUser] = { ...message, content: prefixed(message.content, instructions) };
  return turns;
}

function mergedContent(first: ChatContent, second: ChatContent): ChatContent {
  if (Array.isArray(first) || Array.isArray(second)) return [...partsOf(first), ...partsOf(second)];
  const texts = [first, second].filter((text): text is string => typeof text === 'string' && text !== '');
  return texts.length === 0 ? (first ?? second ?? null) : texts.join('\n\n');
}

function merged(first: ChatMessage, second: ChatMessage): ChatMessage {
  const toolCalls = [...(first.tool_calls ?? []), ...(second.tool_calls ?? [])];
  return {
    ...second,
    ...first,
    content: mergedContent(first.content, second.content),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}

/**
 * For models that insist on alternating turns: consecutive user messages (or
 * assistant messages) become one, and the first turn after the instructions is
 * a user turn, opened with a minimal one when the client's starts otherwise.
 */
export function alternateUserAssistantTurns(messages: readonly ChatMessage[]): ChatMessage[] {
  const shaped: ChatMessage[] = [];
  for (const message of messages) {
    const previous = shaped.at(-1);
    const mergeable = message.role === 'user' || message.role === 'assistant';
    if (previous && mergeable && previous.role === message.role) shaped[shaped.length - 1] = merged(previous, message);
    else shaped.push(message);
  }
  const firstTurn = shaped.findIndex((message) => !isInstruction(message));
  if (firstTurn !== -1 && shaped[firstTurn]?.role !== 'user') shaped.splice(firstTurn, 0, { role: 'user', content: OPENING_USER_TURN });
  return shaped;
}
