import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../platform/errors.js';
import { type AgentConnection, connectionIdOf, resolveAgentModel, splitGatewayModel } from './agent-model.js';

const groq: AgentConnection = { id: 'id-groq', name: 'groq', isDefault: false };
const local: AgentConnection = { id: 'id-local', name: 'local', isDefault: true };

function refusedField(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.problems[0]?.field;
    throw error;
  }
  return undefined;
}

describe('agent models', () => {
  it('splits `@<connection>/<model>` and leaves plain model ids alone', () => {
    expect(splitGatewayModel('@groq/llama-3/70b')).toEqual({ connectionName: 'groq', model: 'llama-3/70b' });
    expect(splitGatewayModel('gpt-4o')).toEqual({ connectionName: null, model: 'gpt-4o' });
  });

  it('resolves a new agent’s connection by id, by name, from the model, or from the default', () => {
    expect(resolveAgentModel({ connectionId: 'id-groq', modelName: 'm' }, null, [groq, local])).toEqual({ baseAddress: '', modelName: '@groq/m' });
    expect(resolveAgentModel({ connectionId: 'groq', modelName: 'm' }, null, [groq])).toEqual({ baseAddress: '', modelName: '@groq/m' });
    expect(resolveAgentModel({ modelName: '@groq/m' }, null, [groq, local])).toEqual({ baseAddress: '', modelName: '@groq/m' });
    expect(resolveAgentModel({ modelName: 'm' }, null, [groq, local])).toEqual({ baseAddress: '', modelName: '@local/m' });
  });

  it('refuses what cannot be resolved, naming the field', () => {
    expect(refusedField(() => resolveAgentModel({ modelName: 'm' }, null, [groq]))).toBe('body.connectionId');
    expect(refusedField(() => resolveAgentModel({ connectionId: 'nope', modelName: 'm' }, null, [groq]))).toBe('body.connectionId');
    expect(refusedField(() => resolveAgentModel({ modelName: '@nope/m' }, null, [groq]))).toBe('body.modelName');
    expect(refusedField(() => resolveAgentModel({ connectionId: 'local', modelName: '@groq/m' }, null, [groq, local]))).toBe('body.connectionId');
  });

  it('keeps the current connection or model when an update changes only the other', () => {
    const current = { baseAddress: '', modelName: '@groq/m' };
    expect(resolveAgentModel({}, current, [groq])).toBeNull();
    expect(resolveAgentModel({ modelName: 'n' }, current, [groq, local])).toEqual({ baseAddress: '', modelName: '@groq/n' });
    expect(resolveAgentModel({ connectionId: 'local' }, current, [groq, local])).toEqual({ baseAddress: '', modelName: '@local/m' });
    const direct = { baseAddress: 'https://llm.example/v1', modelName: 'gpt-4o' };
    expect(resolveAgentModel({ modelName: 'gpt-4.1' }, direct, [local])).toEqual({ baseAddress: 'https://llm.example/v1', modelName: 'gpt-4.1' });
  });

  it('shows the connection id, or the name of a connection that is gone', () => {
    expect(connectionIdOf('@groq/m', [groq])).toBe('id-groq');
    expect(connectionIdOf('@gone/m', [groq])).toBe('gone');
    expect(connectionIdOf('gpt-4o', [groq])).toBeNull();
  });
});
