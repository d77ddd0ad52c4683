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

export const createAgentApiKeyBody = z
  .object({
    label: z.string().trim().min(1).max(200).optional().describe('A name that says where the key is used.'),
    name: z.string().trim().min(1).max(200).optional().describe('Same as `label`, for clients that call it a name; `label` wins when both are sent.'),
    expiresAt: z.iso
      .datetime({ offset: true })
      .nullable()
      .optional()
      .describe('When the key stops working (ISO-8601, in the future). Absent or null: it never expires.'),
    requestsPerMinute: z.number().int().min(1).max(1_000_000).optional().describe('Agentry extension: inference calls per minute this key may make.'),
    tokensPerDay: z.number().int().min(1).optional().describe('Agentry extension: tokens (in + out) this key may use per UTC day.'),
  })
  .strict()
  .refine((body) => body.label !== undefined || body.name !== undefined, { path: ['label'], message: 'is required (or send `name`)' })
  .meta({ example: { label: 'website-widget', expiresAt: '2027-06-30T00:00:00Z' } });
export type CreateAgentApiKeyInput = z.infer<typeof createAgentApiKeyBody>;

export const agentApiKeyViewSchema = apiKeyViewSchema.extend({ agentId: z.string() });
export type AgentApiKeyView = z.infer<typeof agentApiKeyViewSchema>;

export const issuedAgentApiKeySchema = agentApiKeyViewSchema
  .extend({ secret: z.string().describe('The key itself, for the `Agent-Secret-Key` header. It is shown only in this response.') })
  .meta({
    example: {
      id: '019ab6f0-2222-7ddd-8eee-ffffffffffff',
      agentId: '019ab6f0-3c1e-7e2a-9d4b-0c7f3a1b2c3d',
      expiresAt: '2027-06-30T00:00:00.000Z',
      usedAt: null,
      label: 'website-widget',
      key: '...Zk1aJv',
      createdAt: '2026-11-23T18:04:00.000Z',
      requestsPerMinute: null,
      tokensPerDay: null,
      secret: 'sk-3q2-7Yw0m9dT0bq0m1sB9c4mX2f8xR5nLpQyZk1aJv',
    },
  });
export type IssuedAgentApiKey = z.infer<typeof issuedAgentApiKeySchema>;
