import { describe, expect, it } from 'vitest';
import type { ChatMessage } from './chat-message.js';
import { classifyComplexity, complexityScore } from './classify-complexity.js';

const user = (content: string): ChatMessage => ({ role: 'user', content });
const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });

describe('classifyComplexity', () => {
  it('rates a short plain question low', () => {
    expect(complexityScore([user('What is the capital of France?')])).toBe(0);
    expect(classifyComplexity([user('What is the capital of France?')])).toBe('low');
  });

  it('scores the length of the last user message', () => {
    expect(complexityScore([user('a'.repeat(400))])).toBe(1);
    expect(complexityScore([user('a'.repeat(1500))])).toBe(2);
    expect(complexityScore([user('a'.repeat(4000))])).toBe(3);
    expect(complexityScore([user('a'.repeat(4000)), assistant('ok'), user('thanks')])).toBe(0);
  });

  it('scores code fences and reasoning keywords, matched as whole words', () => {
    expect(complexityScore([user('```js\nx()\n```')])).toBe(2);
    expect(complexityScore([user('Please prove it.')])).toBe(2);
    expect(complexityScore([user('Analyse the trade-offs step by step.')])).toBe(3);
    expect(complexityScore([user('The proven recipe, approved.')])).toBe(0);
  });

  it('scores long conversations and tools', () => {
    const turns = Array.from({ length: 10 }, () => [user('q'), assistant('a')]).flat();
    expect(complexityScore(turns.slice(0, 8))).toBe(1);
    expect(complexityScore(turns)).toBe(2);
    expect(complexityScore([user('q')], { hasTools: true })).toBe(1);
    expect(complexityScore([user('q'), { role: 'tool', tool_call_id: '1', content: 'r' }])).toBe(1);
  });

  it('maps 0-1 points to low, 2-3 to medium and 4 or more to high', () => {
    expect(classifyComplexity([user('hi')], { hasTools: true })).toBe('low');
    expect(classifyComplexity([user('Derive the formula.')])).toBe('medium');
    expect(classifyComplexity([user('Derive the formula.')], { hasTools: true })).toBe('medium');
    expect(classifyComplexity([user('Derive and optimize:\n```py\npass\n```')])).toBe('high');
  });

  it('is deterministic for the same conversation', () => {
    const conversation = [user('Debug this algorithm for me, please.')];
    expect(new Set(Array.from({ length: 5 }, () => classifyComplexity(conversation))).size).toBe(1);
  });
});
