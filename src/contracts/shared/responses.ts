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
