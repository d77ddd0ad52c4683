import { z } from 'zod';

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. `validation_failed`.'),
      message: z.string().describe('What went wrong; for validation errors it names the field and the rule.'),
      details: z.unknown().optional(),
    }),
  })
  .meta({
    example: {
      error: {
        code: 'validation_failed',
        message: 'body.label: is required',
        details: [{ field: 'body.label', rule: 'required', message: 'is required' }],
      },
    },
  });

export const messageSchema = z.object({ message: z.string() });

/** The error responses every authenticated route can give. */
export const authenticatedErrors = {
  400: errorBodySchema.describe('Invalid input: the message names the field and the rule.'),
  401: errorBodySchema.describe('Missing, invalid or expired API key.'),
  403: errorBodySchema.describe('The key may not perform this operation (e.g. an agent-scoped key).'),
} as const;

export const notFoundError = { 404: errorBodySchema.describe('Not found in the caller’s organization.') } as const;

export const openAiErrorBodySchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string(),
    }),
  })
  .meta({ example: { error: { message: 'messages[0].role: Invalid option', type: 'invalid_request_error', param: 'messages[0].role', code: 'validation_failed' } } });

/** The error responses of `/v1` routes, in OpenAI's shape. */
export const openAiErrors = {
  400: openAiErrorBodySchema.describe('Invalid input; `param` names the path.'),
  401: openAiErrorBodySchema.describe('Missing, invalid or expired API key.'),
  403: openAiErrorBodySchema.describe('Not allowed: agent-scoped key, disabled connection type, restricted connection.'),
} as const;
