import { describe, expect, it } from 'vitest';
import { chatCompletionRequest, isWellFormedChatCompletionRequest } from './chat-completion.schemas.js';

/** A request using every field the schema checks. */
function fullRequest(): Record<string, unknown> {
  return {
    model: '@openai/gpt-4o-mini',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'image_url', image_url: { url: 'data:,' } }], name: 'ana' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
      { role: 'tool', content: '42', tool_call_id: 'call_1' },
    ],
    stream: true,
    stream_options: { include_usage: true },
    n: 1,
    tools: [{ type: 'function', function: { name: 'lookup' } }],
  };
}

/** Where a value can be swapped in: the top-level fields and each checked field of the messages. */
const PATHS: ReadonlyArray<readonly (string | number)[]> = [
  [],
  ['model'],
  ['messages'],
  ['messages', 0],
  ['messages', 0, 'role'],
  ['messages', 1, 'content'],
  ['messages', 1, 'content', 0],
  ['messages', 1, 'content', 0, 'type'],
  ['messages', 1, 'name'],
  ['messages', 2, 'tool_calls'],
  ['messages', 2, 'tool_calls', 0],
  ['messages', 2, 'tool_calls', 0, 'id'],
  ['messages', 2, 'tool_calls', 0, 'type'],
  ['messages', 2, 'tool_calls', 0, 'function'],
  ['messages', 2, 'tool_calls', 0, 'function', 'name'],
  ['messages', 3, 'tool_call_id'],
  ['stream'],
  ['stream_options'],
  ['stream_options', 'include_usage'],
  ['n'],
  ['tools'],
];

const VALUES: readonly unknown[] = [
  undefined,
  null,
  '',
  'x',
  'user',
  'x'.repeat(301),
  0,
  1,
  2,
  true,
  [],
  {},
  [{}],
  [{ type: '' }],
  [{ type: 'text' }],
  [{ role: 'user', content: 'hi' }],
  { name: 'f' },
];

function withValue(path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const body = fullRequest();
  let parent = body as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return body;
}

describe('isWellFormedChatCompletionRequest', () => {
  it('accepts a request using every checked field, as the schema does', () => {
    expect(chatCompletionRequest.safeParse(fullRequest()).success).toBe(true);
    expect(isWellFormedChatCompletionRequest(fullRequest())).toBe(true);
  });

  it('agrees with the zod schema on every value swapped into every checked place', () => {
    let refused = 0;
    for (const path of PATHS) {
      for (const value of VALUES) {
        const body = withValue(path, value);
        const expected = chatCompletionRequest.safeParse(body).success;
        if (!expected) refused += 1;
        expect({ path, value, accepted: isWellFormedChatCompletionRequest(body) }).toEqual({ path, value, accepted: expected });
      }
    }
    // The palette must exercise refusals in earnest, not only acceptances.
    expect(refused).toBeGreaterThan(PATHS.length * 5);
  });
});
