import { describe, expect, it } from 'vitest';
import { amendReplyText, parseCompletion, scanCompletion } from './json-reply.js';

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

describe('reading usage and model from a reply without parsing it', () => {
  const usage = { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22, prompt_tokens_details: { cached_tokens: 4, note: 'a } and a " and' } };

  it('reads what parsing reads, wherever the members stand and whatever the content says', () => {
    const replies = [
      { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' } }], usage },
      // OpenAI puts members after usage; content may quote member names and braces.
      {
        id: 'chatcmpl-2',
        model: 'llama3',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Say "model":"other" and "usage":{"prompt_tokens":999} \\ {[' } }],
        usage,
        service_tier: 'default',
        system_fingerprint: 'fp_1',
      },
      { usage, choices: [], model: 'mistral/7b:latest' },
      { model: 'm', usage: { prompt_tokens: 1 } },
    ];
    for (const reply of replies) {
      const text = JSON.stringify(reply);
      const parsed = parseCompletion(text, 'openai');
      for (const sent of [text, `\n ${text}\r\n`]) {
        const scanned = scanCompletion(sent);
        expect({ usage: scanned?.usage, model: scanned?.model }).toEqual({ usage: parsed.usage, model: parsed.model });
      }
    }
  });

  it('amends the text as serializing the amended object would, renaming the top-level model only', () => {
    const reply = {
      id: 'chatcmpl-2',
      model: 'llama3',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Say "model":"llama3"' }, extra: { model: 'llama3' } }],
      usage,
      system_fingerprint: 'fp_1',
    };
    const amended = scanCompletion(` ${JSON.stringify(reply)}\n`)?.amended('@ollama/"llama3"', CONTEXT);
    expect(amended).toBe(` ${JSON.stringify({ ...reply, model: '@ollama/"llama3"', generation_context: { generated_usage: [], runned_functions: [] } })}`);
  });

  it('leaves to parsing what it cannot read with certainty', () => {
    for (const text of [
      '',
      '<html>busy</html>',
      '[{"model":"m","usage":{}}]',
      '{"model":"m","usage":{"prompt_tokens":1}',
      '{ "model": "m", "usage": { "prompt_tokens": 1 } }',
      '{"model":"m","choices":[]}',
      '{"usage":{"prompt_tokens":1},"choices":[]}',
      '{"model":"m\\"x","usage":{"prompt_tokens":1}}',
      '{"model":"m","usage":{"prompt_tokens":}}',
      '{"model":"m","usage":{"prompt_tokens":1}',
      '{"model":"m","usage":{"prompt_tokens":1,"x":"}"',
      '{"model":"m","usage":{"prompt_tokens":1}x}',
      '{"model":"m","usage":{"prompt_tokens":1},"generation_context":{}}',
    ]) {
      expect(scanCompletion(text), text).toBeUndefined();
    }
  });
});
