import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../platform/errors.js';
import { chatCompletionRequest } from '../inference/index.js';
import type { ChatMessage } from './chat-message.js';
import { type ChatRequestBody, type GatewayRequestParameters, buildGatewayRequest } from './gateway-request.js';

const user = (content: string): ChatMessage => ({ role: 'user', content });
const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });
const system = (content: string): ChatMessage => ({ role: 'system', content });

function request(messages: ChatMessage[], fields: Record<string, unknown> = {}): ChatRequestBody {
  return { model: 'gateway-id', messages, ...fields };
}

function build(parameters: Partial<GatewayRequestParameters>, body: ChatRequestBody = request([user('hi')])) {
  return buildGatewayRequest({ modelName: 'gpt-4o-mini', ...parameters }, body);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('buildGatewayRequest: model', () => {
  it('sends the gateway model in place of the gateway id, keeping the client’s other fields', () => {
    const result = build({}, request([user('hi')], { stream: true, tools: [{ type: 'function' }], metadata: { a: 1 } }));
    expect(result.connection).toBeNull();
    expect(result.body).toEqual({ model: 'gpt-4o-mini', messages: [user('hi')], stream: true, tools: [{ type: 'function' }], metadata: { a: 1 } });
    expect(result.metadata).toMatchObject({ upstreamModel: 'gpt-4o-mini', reasoningEffort: null, droppedMessages: 0 });
    expect(result.metadata.complexityTier).toBeUndefined();
  });

  it('splits `@<connection>/<model>` into the connection and the upstream model', () => {
    const result = build({ modelName: '@groq/meta/llama-3.3-70b' });
    expect(result.connection).toBe('groq');
    expect(result.body.model).toBe('meta/llama-3.3-70b');
    expect(result.metadata.upstreamModel).toBe('meta/llama-3.3-70b');
  });

  it('accepts what the /v1 schema parses and never changes the client’s request', () => {
    const parsed = deepFreeze(chatCompletionRequest.parse({ model: 'g', messages: [{ role: 'user', content: 'hi' }], temperature: 1 }));
    const result = buildGatewayRequest(
      { modelName: 'm', temperature: 0.2, systemInstruction: 'Be brief.', userPromptTemplate: 'Q: {{prompt}}', flags: ['StrictUserAssistantTurns'] },
      parsed,
    );
    expect(result.body.messages).toEqual([system('Be brief.'), user('Q: hi')]);
    expect(parsed.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });
});

describe('buildGatewayRequest: enforced settings', () => {
  it('replaces the client’s sampling values with the gateway’s', () => {
    const body = request([user('hi')], {
      temperature: 1.5,
      top_p: 0.1,
      presence_penalty: 1,
      frequency_penalty: 1,
      stop: ['x'],
      max_tokens: 5000,
      reasoning_effort: 'high',
      verbosity: 'high',
    });
    const result = build(
      { temperature: 0.2, topP: 0.9, presencePenalty: -0.5, frequencyPenalty: 0.5, stop: 'END', maxCompletionTokens: 256, reasoningEffort: 'low', verbosity: 'low' },
      body,
    );
    expect(result.body).toMatchObject({
      temperature: 0.2,
      top_p: 0.9,
      presence_penalty: -0.5,
      frequency_penalty: 0.5,
      stop: 'END',
      max_completion_tokens: 256,
      reasoning_effort: 'low',
      verbosity: 'low',
    });
    expect(result.body).not.toHaveProperty('max_tokens');
    expect(result.metadata.reasoningEffort).toBe('low');
  });

  it('keeps the client’s values where the gateway sets none (null or absent)', () => {
    const result = build({ temperature: null, stop: null }, request([user('hi')], { temperature: 0.7, stop: 'Z', max_tokens: 9, reasoning_effort: 'medium' }));
    expect(result.body).toMatchObject({ temperature: 0.7, stop: 'Z', max_tokens: 9, reasoning_effort: 'medium' });
    expect(result.metadata.reasoningEffort).toBe('medium');
  });

  it('adds additionalSettings to the body but never lets them replace model, messages or stream', () => {
    const result = build({ additionalSettings: { seed: 7, model: 'other', messages: [], stream: false } }, request([user('hi')], { stream: true }));
    expect(result.body).toMatchObject({ seed: 7, model: 'gpt-4o-mini', stream: true, messages: [user('hi')] });
  });
});

describe('buildGatewayRequest: instructions, template and prefill', () => {
  it('prepends systemInstruction before the client’s own system message', () => {
    const result = build({ systemInstruction: 'Gateway rules.' }, request([system('Client rules.'), user('hi')]));
    expect(result.body.messages).toEqual([system('Gateway rules.'), system('Client rules.'), user('hi')]);
  });

  it('applies userPromptTemplate to the last user message only', () => {
    const result = build({ userPromptTemplate: '<q>{{prompt}}</q> (again: {{prompt}})' }, request([user('first'), assistant('ok'), user('costs $& $1?')]));
    expect(result.body.messages).toEqual([user('first'), assistant('ok'), user('<q>costs $& $1?</q> (again: costs $& $1?)')]);
  });

  it('puts the prompt after a template that lacks the placeholder', () => {
    const result = build({ userPromptTemplate: 'Answer in French.' }, request([user('Hello')]));
    expect(result.body.messages).toEqual([user('Answer in French.\n\nHello')]);
  });

  it('templates multi-part content without losing or moving its images', () => {
    const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } };
    const content = [image, { type: 'text', text: 'What is' }, { type: 'text', text: 'this?' }];
    const result = build({ userPromptTemplate: 'Q: {{prompt}}' }, request([{ role: 'user', content }]));
    expect(result.body.messages[0]?.content).toEqual([image, { type: 'text', text: 'Q: What is\nthis?' }]);
  });

  it('appends assistantPrefill as the final assistant message, reporting it for the reply when asked', () => {
    const plain = build({ assistantPrefill: '{"answer":' });
    expect(plain.body.messages.at(-1)).toEqual(assistant('{"answer":'));
    expect(plain.metadata.replyPrefix).toBeUndefined();
    const shown = build({ assistantPrefill: '{"answer":', includePrefillingInMessages: true });
    expect(shown.metadata.replyPrefix).toBe('{"answer":');
  });

  it('sends no prefill with flag NoAssistantPrefilling', () => {
    const result = build({ assistantPrefill: 'Sure,', includePrefillingInMessages: true, flags: ['NoAssistantPrefilling'] });
    expect(result.body.messages).toEqual([user('hi')]);
    expect(result.metadata.replyPrefix).toBeUndefined();
  });
});

describe('buildGatewayRequest: flags', () => {
  it('NoSystemInstruct folds every system and developer message into the first user turn', () => {
    const body = request([system('Client rules.'), { role: 'developer', content: 'Dev note.' }, user('hi'), assistant('hello'), user('bye')]);
    const result = build({ systemInstruction: 'Gateway rules.', flags: ['NoSystemInstruct'] }, body);
    expect(result.body.messages).toEqual([user('Gateway rules.\n\nClient rules.\n\nDev note.\n\nhi'), assistant('hello'), user('bye')]);
    expect(result.body.messages.some((message) => message.role === 'system' || message.role === 'developer')).toBe(false);
  });

  it('NoSystemInstruct opens a user turn for the instructions when the client sent none', () => {
    const result = build({ systemInstruction: 'Rules.', flags: ['NoSystemInstruct'] }, request([assistant('Welcome!')]));
    expect(result.body.messages).toEqual([user('Rules.'), assistant('Welcome!')]);
  });

  it('NoTemperature drops temperature and top_p, whoever set them', () => {
    const result = build({ temperature: 0.3, flags: ['NoTemperature'] }, request([user('hi')], { top_p: 0.5, temperature: 1 }));
    expect(result.body).not.toHaveProperty('temperature');
    expect(result.body).not.toHaveProperty('top_p');
  });

  it('NoStopParameter drops stop', () => {
    expect(build({ stop: 'END', flags: ['NoStopParameter'] }, request([user('hi')], { stop: ['x'] })).body).not.toHaveProperty('stop');
  });

  it('NoReasoningEffort drops reasoning_effort and reports none', () => {
    const result = build({ reasoningEffort: 'high', flags: ['NoReasoningEffort'] }, request([user('hi')], { reasoning_effort: 'low' }));
    expect(result.body).not.toHaveProperty('reasoning_effort');
    expect(result.metadata.reasoningEffort).toBeNull();
  });

  it('StrictUserAssistantTurns merges consecutive turns of one role and combines their tool calls', () => {
    const call = (id: string) => ({ id, type: 'function', function: { name: 'f', arguments: '{}' } });
    const body = request([
      system('s'),
      user('a'),
      user('b'),
      { role: 'assistant', content: null, tool_calls: [call('1')] },
      { role: 'assistant', content: 'and', tool_calls: [call('2')] },
      { role: 'tool', tool_call_id: '1', content: 'r1' },
      { role: 'tool', tool_call_id: '2', content: 'r2' },
      user('c'),
    ]);
    const result = build({ assistantPrefill: 'Sure', flags: ['StrictUserAssistantTurns'] }, body);
    expect(result.body.messages).toEqual([
      system('s'),
      user('a\n\nb'),
      { role: 'assistant', content: 'and', tool_calls: [call('1'), call('2')] },
      { role: 'tool', tool_call_id: '1', content: 'r1' },
      { role: 'tool', tool_call_id: '2', content: 'r2' },
      user('c'),
      assistant('Sure'),
    ]);
  });

  it('StrictUserAssistantTurns opens with a user turn when the conversation starts with the assistant', () => {
    const result = build({ flags: ['StrictUserAssistantTurns'] }, request([system('s'), assistant('Welcome!'), assistant('Ask me.'), user('hi')]));
    expect(result.body.messages).toEqual([system('s'), user('.'), assistant('Welcome!\n\nAsk me.'), user('hi')]);
  });
});

describe('buildGatewayRequest: context budget', () => {
  const long = 'x'.repeat(400); // 100 + 4 = 104 tokens

  it('Throw refuses an oversized conversation naming the estimate and the limit', () => {
    let error: unknown;
    try {
      build({ contextMaximumSize: 200, contextOverflowAction: 'Throw' }, request([user(long), assistant(long)]));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const validation = error as ValidationError;
    expect(validation.problems[0]?.field).toBe('messages');
    expect(validation.message).toContain('208 tokens');
    expect(validation.message).toContain('contextMaximumSize of 200');
  });

  it('throws by default when no contextOverflowAction is set, and passes what fits', () => {
    expect(() => build({ contextMaximumSize: 100 }, request([user(long)]))).toThrow(ValidationError);
    expect(build({ contextMaximumSize: 104 }, request([user(long)])).metadata.estimatedPromptTokens).toBe(104);
  });

  it('Truncate drops the oldest non-system messages and keeps the instructions and the last user message', () => {
    const body = request([user(long), assistant(long), user(long), assistant(long), user('last')]);
    // 6 (instruction) + 4 × 104 + 5 = 427 tokens; three drops bring it to 115.
    const result = build({ systemInstruction: 'rules', contextMaximumSize: 120, contextOverflowAction: 'Truncate' }, body);
    expect(result.body.messages).toEqual([system('rules'), assistant(long), user('last')]);
    expect(result.metadata).toMatchObject({ droppedMessages: 3, estimatedPromptTokens: 115 });
  });

  it('Truncate drops tool results together with the assistant turn that called them', () => {
    const body = request([
      user('q1'),
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: long } }] },
      { role: 'tool', tool_call_id: 'c1', content: long },
      assistant('answer'),
      user('q2'),
    ]);
    const result = build({ contextMaximumSize: 30, contextOverflowAction: 'Truncate' }, body);
    expect(result.body.messages).toEqual([assistant('answer'), user('q2')]);
    expect(result.body.messages.some((message) => message.role === 'tool')).toBe(false);
  });

  it('Truncate refuses when the instructions and the current turn alone do not fit', () => {
    const body = request([user('old'), user(long)]);
    expect(() => build({ systemInstruction: long, contextMaximumSize: 150, contextOverflowAction: 'Truncate' }, body)).toThrow(
      /even after dropping older messages.*208 tokens.*contextMaximumSize of 150/,
    );
  });
});

describe('buildGatewayRequest: model routing', () => {
  const routing: GatewayRequestParameters['modelRoutingParameters'] = {
    lowComplexityModelName: 'small',
    lowComplexityModelReasoningEffort: 'minimal',
    mediumComplexityModelName: '@fast/medium',
    mediumComplexityModelReasoningEffort: null,
    highComplexityModelName: 'large',
    highComplexityModelReasoningEffort: 'high',
  };

  it('sends a simple request to the low tier with its reasoning effort', () => {
    const result = build({ modelRoutingParameters: routing }, request([user('What time zone is Paris in?')]));
    expect(result.body).toMatchObject({ model: 'small', reasoning_effort: 'minimal' });
    expect(result.metadata).toMatchObject({ complexityTier: 'low', upstreamModel: 'small', reasoningEffort: 'minimal' });
  });

  it('uses the tier’s connection and falls back to the gateway’s reasoning effort', () => {
    const result = build({ modelRoutingParameters: routing, reasoningEffort: 'medium' }, request([user('Prove that there are infinitely many primes.')]));
    expect(result.connection).toBe('fast');
    expect(result.metadata).toMatchObject({ complexityTier: 'medium', upstreamModel: 'medium', reasoningEffort: 'medium' });
  });

  it('sends code analysis with tools to the high tier', () => {
    const prompt = 'Analyze this function step by step and debug it:\n```ts\nfunction f() {}\n```';
    const result = build({ modelRoutingParameters: routing }, request([user(prompt)], { tools: [{ type: 'function', function: { name: 'run' } }] }));
    expect(result.metadata).toMatchObject({ complexityTier: 'high', upstreamModel: 'large', reasoningEffort: 'high' });
  });
});
