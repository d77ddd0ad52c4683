import { z } from 'zod';

export const createApiKeyBody = z
  .object({
    label: z.string().trim().min(1).max(200).describe('A name that says where the key is used.'),
    duration: z
      .number()
      .int()
      .min(0)
      .max(36_500)
      .optional()
      .describe('Lifetime in days. Absent or 0: the key never expires.'),
    requestsPerMinute: z.number().int().min(1).max(1_000_000).optional().describe('Agentry extension: inference calls per minute this key may make.'),
    tokensPerDay: z.number().int().min(1).optional().describe('Agentry extension: tokens (in + out) this key may use per UTC day.'),
  })
  .strict()
  .meta({ example: { label: 'crm-integration', duration: 90, requestsPerMinute: 60 } });
export type CreateApiKeyInput = z.infer<typeof createApiKeyBody>;

export const createdApiKeySchema = z
  .object({ grantKey: z.string().describe('The new key. It is shown only in this response.') })
  .meta({ example: { grantKey: 'sk-3q2-7Yw0m9dT0bq0m1sB9c4mX2f8xR5nLpQyZk1aJvE' } });

export const apiKeyViewSchema = z.object({
  id: z.string(),
  expiresAt: z.string().nullable(),
  usedAt: z.string().nullable(),
  label: z.string(),
  key: z.string().describe('The last characters of the key, e.g. `...abc123`.'),
  createdAt: z.string(),
  requestsPerMinute: z.number().int().nullable(),
  tokensPerDay: z.number().int().nullable(),
});
export type ApiKeyView = z.infer<typeof apiKeyViewSchema>;

export const apiKeyListSchema = z
  .object({
    apiKeys: z.array(apiKeyViewSchema),
    salt: z.string().describe('The organization salt, used to sign webhook and tool callbacks.'),
  })
  .meta({
    example: {
      apiKeys: [
        {
          id: '019ab6f0-2222-7ddd-8eee-ffffffffffff',
          expiresAt: '2027-01-01T00:00:00.000Z',
          usedAt: '2026-11-20T12:00:00.000Z',
          label: 'crm-integration',
          key: '...abc123',
          createdAt: '2026-10-01T09:00:00.000Z',
          requestsPerMinute: 60,
          tokensPerDay: null,
        },
      ],
      salt: 'q8Zs0v2Kc1bXo3mT5yWn7pLr9dFh',
    },
  });
