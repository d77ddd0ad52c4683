import type { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchema } from './agent-tool.js';

export type ArgumentCheck = (args: unknown) => { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly message: string };

export type CompiledArguments =
  | { readonly ok: true; readonly parameters: JsonSchema; readonly check: ArgumentCheck }
  | { readonly ok: false; readonly message: string };

const MAX_COMPILED = 500;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Tenants write `contentFormat` as a schema object, or as that object in a JSON
 * string; nothing at all means "no arguments". The model must be given an
 * object schema, so a schema without a type becomes one.
 */
function toObjectSchema(contentFormat: unknown): JsonSchema | string {
  let schema: unknown = contentFormat ?? { type: 'object', properties: {} };
  if (typeof schema === 'string') {
    try {
      schema = JSON.parse(schema);
    } catch {
      return 'contentFormat is a string that is not JSON';
    }
  }
  if (!isRecord(schema)) return 'contentFormat must be a JSON schema object';
  if (schema.type === undefined) return { ...schema, type: 'object' };
  if (schema.type !== 'object') return `contentFormat must describe an object (its type is ${JSON.stringify(schema.type)})`;
  return schema;
}

/** The model's arguments as an object (providers hand them over parsed, or as JSON text), or what is wrong with them. */
export function argumentsObject(args: unknown): Record<string, unknown> | string {
  let value = args ?? {};
  if (typeof value === 'string') {
    if (value.trim() === '') return {};
    try {
      value = JSON.parse(value);
    } catch {
      return 'the arguments are not valid JSON';
    }
  }
  return isRecord(value) ? value : 'the arguments must be a JSON object';
}

/**
 * Checks a model's arguments against a tool's JSON schema with Ajv (the MCP
 * SDK's configured instance: all errors, formats, unknown keywords ignored).
 * Each distinct schema gets its own Ajv instance, so one tenant's `$id` can
 * never resolve to, or clash with, another tenant's schema; compiled checks are
 * kept per schema text, a bounded number of them.
 */
export class ArgumentValidator {
  private readonly compiled = new Map<string, CompiledArguments>();
  private Validator: typeof AjvJsonSchemaValidator | undefined;

  /** Loads Ajv on first need, so agents without callback tools never pay for it at start-up; call before compile(). */
  async ready(): Promise<void> {
    this.Validator ??= (await import('@modelcontextprotocol/sdk/validation/ajv')).AjvJsonSchemaValidator;
  }

  compile(contentFormat: unknown): CompiledArguments {
    const schema = toObjectSchema(contentFormat);
    if (typeof schema === 'string') return { ok: false, message: schema };
    const key = JSON.stringify(schema);
    const known = this.compiled.get(key);
    if (known) return known;
    const result = this.compileNew(schema);
    if (this.compiled.size >= MAX_COMPILED) this.compiled.clear();
    this.compiled.set(key, result);
    return result;
  }

  private compileNew(schema: JsonSchema): CompiledArguments {
    let validate: ReturnType<AjvJsonSchemaValidator['getValidator']>;
    try {
      if (!this.Validator) throw new Error('the validator is not loaded (call ready() first)');
      validate = new this.Validator().getValidator(schema);
    } catch (error) {
      return { ok: false, message: `contentFormat is not a usable JSON schema: ${(error as Error).message}` };
    }
    const check: ArgumentCheck = (args) => {
      const value = argumentsObject(args);
      if (typeof value === 'string') return { ok: false, message: value };
      const result = validate(value);
      // Ajv names the root `data`; the model knows it as its arguments.
      return result.valid ? { ok: true, value } : { ok: false, message: result.errorMessage.replace(/(^|, )data(?=[/ ])/g, '$1arguments') };
    };
    return { ok: true, parameters: schema, check };
  }
}
