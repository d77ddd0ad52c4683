import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentValidator } from './argument-validator.js';

describe('ArgumentValidator', () => {
  const validator = new ArgumentValidator();
  beforeAll(() => validator.ready());

  it('names every problem with the arguments, as the model knows them', () => {
    const compiled = validator.compile({
      type: 'object',
      properties: { email: { type: 'string', format: 'email' }, count: { type: 'integer' } },
      required: ['email'],
    });
    if (!compiled.ok) throw new Error(compiled.message);
    expect(compiled.check({ email: 'someone@example.com', count: 2 })).toEqual({ ok: true, value: { email: 'someone@example.com', count: 2 } });
    expect(compiled.check({ email: 'nope', count: 1.5 })).toEqual({
      ok: false,
      message: 'arguments/email must match format "email", arguments/count must be integer',
    });
    expect(compiled.check(null)).toEqual({ ok: false, message: "arguments must have required property 'email'" });
  });

  it('keeps schemas with the same $id apart', () => {
    const first = validator.compile({ $id: 'https://tenant.example/args', type: 'object', required: ['a'] });
    const second = validator.compile({ $id: 'https://tenant.example/args', type: 'object', required: ['b'] });
    if (!first.ok || !second.ok) throw new Error('expected both to compile');
    expect(first.check({ a: 1 }).ok).toBe(true);
    expect(second.check({ a: 1 }).ok).toBe(false);
  });

  it('accepts no contentFormat as "no arguments" and refuses a non-object schema', () => {
    expect(validator.compile(undefined)).toMatchObject({ ok: true, parameters: { type: 'object', properties: {} } });
    expect(validator.compile(['x'])).toEqual({ ok: false, message: 'contentFormat must be a JSON schema object' });
    expect(validator.compile('{nope')).toEqual({ ok: false, message: 'contentFormat is a string that is not JSON' });
  });
});
