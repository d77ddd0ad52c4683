import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../platform/errors.js';
import type { ChatMessage } from './chat-message.js';
import { estimateMessageTokens, estimatePromptTokens, fitContext } from './context-budget.js';

describe('token estimate', () => {
  it('counts ceil(characters / 4) plus 4 per message', () => {
    expect(estimateMessageTokens({ role: 'user', content: 'abcde' })).toBe(6);
    expect(estimateMessageTokens({ role: 'assistant', content: null })).toBe(4);
    expect(estimatePromptTokens([{ role: 'user', content: 'abcd' }, { role: 'user', content: '' }])).toBe(9);
  });

  it('counts names, tool call arguments, text parts and a flat cost per media part', () => {
    const message: ChatMessage = {
      role: 'assistant',
      name: 'bot',
      content: [
        { type: 'text', text: 'hello' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(10_000)}` } },
      ],
      tool_calls: [{ id: '1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
    };
    // 3 + 5 + 1 + 7 = 16 characters → 4 tokens, + 4 overhead, + 85 for the image.
    expect(estimateMessageTokens(message)).toBe(93);
  });
});

describe('fitContext', () => {
  const big = (role: string): ChatMessage => ({ role, content: 'x'.repeat(40) }); // 14 tokens

  it('keeps system and developer messages and drops orphaned tool results as their own unit', () => {
    const messages: ChatMessage[] = [
      { role: 'developer', content: 'd' },
      { role: 'tool', tool_call_id: 'gone', content: 'x'.repeat(40) },
      big('user'),
      big('user'),
    ];
    const fitted = fitContext(messages, 30, 'Truncate');
    expect(fitted.messages.map((message) => message.role)).toEqual(['developer', 'user']);
    expect(fitted.droppedMessages).toBe(2);
  });

  it('keeps everything after the last user message (a tool round in progress)', () => {
    const messages: ChatMessage[] = [
      big('user'),
      big('assistant'),
      big('user'),
      { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '' } }] },
      { role: 'tool', tool_call_id: 'c', content: 'ok' },
    ];
    const fitted = fitContext(messages, 24, 'Truncate'); // the tail alone is 14 + 5 + 5
    expect(fitted.messages).toEqual(messages.slice(2));
  });

  it('returns the messages unchanged when they fit, and Throw names the field', () => {
    expect(fitContext([big('user')], 14, 'Throw').droppedMessages).toBe(0);
    expect(() => fitContext([big('user')], 13, 'Throw')).toThrow(ValidationError);
  });
});
