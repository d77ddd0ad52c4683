/**
 * A gateway's assistant prefill, when `includePrefillingInMessages` is set,
 * opens the reply the client reads: the model only continued from it, so
 * without it the answer would start mid-sentence.
 */

/** For a `chat.completion`: each choice's text content starts with the prefix (a tool-call-only answer has none to prefix). */
export function prefixChoices(choices: unknown, prefix: string): unknown {
  if (!Array.isArray(choices)) return choices;
  return choices.map((choice: { message?: { content?: unknown } }) =>
    typeof choice.message?.content === 'string' ? { ...choice, message: { ...choice.message, content: `${prefix}${choice.message.content}` } } : choice,
  );
}

const TEXT_CONTENT = /"content"\s*:\s*"(?!")/;

interface ChunkShape {
  choices?: Array<{ delta?: { content?: unknown } }>;
}

/**
 * For a stream: one `chat.completion.chunk` payload with the prefix opening
 * its content, or undefined when the payload carries no text yet (the role
 * frame's empty content, tool calls, usage) and the next one should be tried.
 * As for JSON replies, an answer without text gets no prefix.
 */
export function prefixFirstContentDelta(data: string, prefix: string): string | undefined {
  // Most frames are told apart without parsing them.
  if (!TEXT_CONTENT.test(data)) return undefined;
  let chunk: ChunkShape;
  try {
    chunk = JSON.parse(data) as ChunkShape;
  } catch {
    return undefined;
  }
  const delta = chunk.choices?.[0]?.delta;
  if (typeof delta?.content !== 'string' || delta.content === '') return undefined;
  delta.content = `${prefix}${delta.content}`;
  return JSON.stringify(chunk);
}
