import { jsonSchema, tool } from 'ai';
import type { ChatCompletionChunk, ChatCompletionFunctionTool } from 'openai/resources/chat/completions';

/** One function tool, in the OpenAI client's shape. */
export const weatherTool: ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** The same tool for the AI SDK, without `execute`, so calls come back to the test. */
export const sdkWeatherTool = tool({
  description: 'Current weather for a city',
  inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
});

/** Drains a stream, keeping what arrived before a failure so a test can assert both. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of stream) items.push(item);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

/** The assistant text that streamed chunks add up to. */
export function contentOf(chunks: readonly ChatCompletionChunk[]): string {
  return chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
}
