import { describe, expect, it } from 'vitest';
import { amendReplyText, parseCompletion } from './json-reply.js';

const RENAME = { from: '"model":"llama3"', to: '"model":"@ollama/llama3"' };
const CONTEXT = '"generation_context":{"generated_usage":[],"runned_functions":[]}';

/** What serializing the parsed reply with the same amendments gives. */
function amendedObject(text: string): unknown {
  const completion = parseCompletion(text, 'ollama');
  completion.model = '@ollama/llama3';
  completion.generation_context = { generated_usage: [], runned_functions: [] };
  return completion;
}

describe('a provider reply amended in its text', () => {
  it('reads as the amended object would, with the context as its last member', () => {
    const text = JSON.stringify({
      id: 'chatcmpl-1',
      model: 'llama3',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Say "model":"llama3" and {braces}' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 4 },
    });
    const amended = amendReplyText(`${text}\n`, RENAME, CONTEXT);
    expect(amended).toBeDefined();
    expect(JSON.parse(amended!)).toEqual(amendedObject(text));
    expect(Object.keys(JSON.parse(amended!) as object).at(-1)).toBe('generation_context');
    // The quoted model inside the content is escaped in the text, so it is not renamed.
    expect((JSON.parse(amended!) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe('Say "model":"llama3" and {braces}');
  });

  it('keeps the text when the client asked for the model by the provider’s own name', () => {
    const text = '{"model":"llama3","choices":[]}';
    expect(amendReplyText(text, { from: RENAME.from, to: RENAME.from }, CONTEXT)).toBe(`{"model":"llama3","choices":[],${CONTEXT}}`);
  });

  it('gives up on text that does not carry the model as expected, so the object is serialized instead', () => {
    expect(amendReplyText('{ "model": "llama3", "choices": [] }', RENAME, CONTEXT)).toBeUndefined();
    expect(amendReplyText('{"model":"llama3-8b","choices":[]}', RENAME, CONTEXT)).toBeUndefined();
    expect(amendReplyText('{"choices":[]}', RENAME, CONTEXT)).toBeUndefined();
  });
});

describe('parsing a provider reply', () => {
  it('refuses anything but a JSON object, naming the connection', () => {
    for (const text of ['', '<html>busy</html>', '[1,2]', 'null', '"text"', '{"model":"llama3"']) {
      expect(() => parseCompletion(text, 'ollama')).toThrow(expect.objectContaining({ code: 'upstream_invalid_reply', message: expect.stringContaining("'ollama'") }));
    }
    expect(parseCompletion('{"model":"llama3"}', 'ollama')).toEqual({ model: 'llama3' });
  });
});
