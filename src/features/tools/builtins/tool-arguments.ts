import { z } from 'zod';
import { type JsonSchema, type ToolResult, errorResult } from '../agent-tool.js';
import { argumentsObject } from '../argument-validator.js';

export type ParsedArguments<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ToolResult };

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'arguments';
  return `${field}: ${issue.message}`;
}

/**
 * Validates what the model sent. Problems come back as an error result naming
 * each field, so the model can correct its call instead of the turn failing.
 */
export function parseArguments<T>(schema: z.ZodType<T>, args: unknown): ParsedArguments<T> {
  const input = argumentsObject(args);
  if (typeof input === 'string') return { ok: false, error: errorResult(`Invalid arguments: ${input}.`) };
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, error: errorResult(`Invalid arguments: ${parsed.error.issues.map(describeIssue).join('; ')}`) };
}

/**
 * The JSON Schema the model receives, from the same zod schema that validates
 * the call. The long date-time pattern and `$schema` are left out: `format`
 * says the same to a model in far fewer tokens.
 */
export function toolParameters(schema: z.ZodType): JsonSchema {
  const { $schema: _schema, ...parameters } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: (context) => {
      const json = context.jsonSchema as Record<string, unknown>;
      if (json.format === 'date-time') delete json.pattern;
      delete json.propertyNames;
    },
  });
  return parameters;
}
