import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../platform/errors.js';
import { parseModelReference } from './model-reference.js';

describe('parseModelReference', () => {
  it('reads @connection/model, keeping slashes in the model name', () => {
    expect(parseModelReference('@openai/gpt-4o-mini')).toEqual({ kind: 'connection', connection: 'openai', model: 'gpt-4o-mini' });
    expect(parseModelReference('@openrouter/meta-llama/llama-3.1-8b')).toEqual({
      kind: 'connection',
      connection: 'openrouter',
      model: 'meta-llama/llama-3.1-8b',
    });
  });

  it('takes anything else as a gateway id, and refuses a malformed @ reference by name', () => {
    expect(parseModelReference('0198683a-2b6d-7066-9598-6ea119c219f2')).toEqual({
      kind: 'gateway',
      gatewayId: '0198683a-2b6d-7066-9598-6ea119c219f2',
    });
    expect(() => parseModelReference('@Bad Name/x')).toThrow(NotFoundError);
    expect(() => parseModelReference('@openai/')).toThrow(/@openai\//);
  });
});
