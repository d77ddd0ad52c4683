import { z } from 'zod';
import { offsetPageQuery, offsetPageSchema } from '../../platform/paging.js';

export const connectionTypeSchema = z
  .enum(['OpenAiCompatible', 'Anthropic', 'Gemini', 'Ollama'])
  .describe('OpenAiCompatible covers any OpenAI-style base URL: OpenAI, vLLM, llama.cpp server, OpenRouter, Groq, Together…');
export type ConnectionType = z.infer<typeof connectionTypeSchema>;

export const connectionScopeSchema = z
  .enum(['Organization', 'System'])
  .describe('Organization: created by the tenant. System: declared by the operator, read-only.');
export type ConnectionScope = z.infer<typeof connectionScopeSchema>;

export const accessModeSchema = z
  .enum(['Shared', 'Restricted'])
  .describe('Shared: any key of the organization may call `@<name>/<model>`. Restricted: only AI gateways that name the connection may use it.');
export type AccessMode = z.infer<typeof accessModeSchema>;

/** Names appear in model ids (`@name/model`), so they are kept to URL- and path-safe characters. */
const connectionName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be 1-63 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit');

const modelName = z.string().min(1).max(200);

export const createConnectionBody = z
  .object({
    name: connectionName,
    type: connectionTypeSchema,
    baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000).optional(),
    apiKey: z.string().min(1).max(4000).optional().describe('Write-only: never returned.'),
    isDefault: z.boolean().default(false),
    accessMode: accessModeSchema.default('Shared'),
    models: z.array(modelName).max(500).default([]).describe('Models offered, listed by GET /v1/models as `@<name>/<model>`.'),
    timeoutMs: z.number().int().min(1_000).max(600_000).default(120_000).describe('Upstream request timeout.'),
  })
  .strict()
  .meta({
    example: {
      name: 'groq',
      type: 'OpenAiCompatible',
      baseUrl: 'https://api.groq.com/openai/v1',
      apiKey: 'gsk_...',
      accessMode: 'Shared',
      models: ['llama-3.3-70b-versatile'],
    },
  });
export type CreateConnectionInput = z.infer<typeof createConnectionBody>;

export const updateConnectionBody = z
  .object({
    name: connectionName.optional(),
    baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000).nullable().optional(),
    apiKey: z.string().min(1).max(4000).nullable().optional().describe('Write-only; null removes the stored key.'),
    isDefault: z.boolean().optional(),
    accessMode: accessModeSchema.optional(),
    models: z.array(modelName).max(500).optional(),
    timeoutMs: z.number().int().min(1_000).max(600_000).optional(),
  })
  .strict()
  .meta({ example: { models: ['llama-3.3-70b-versatile', 'llama-3.1-8b-instant'], isDefault: true } });
export type UpdateConnectionInput = z.infer<typeof updateConnectionBody>;

export const connectionViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: connectionTypeSchema,
  scope: connectionScopeSchema,
  isDefault: z.boolean(),
  accessMode: accessModeSchema,
  baseUrl: z.string().nullable(),
  hasCredentials: z.boolean().describe('Whether an API key is stored; the key itself is never returned.'),
  models: z.array(z.string()),
  timeoutMs: z.number().int(),
  disabled: z.boolean().describe("True when the organization's governance policy (disabledConnectionTypes) disables this type."),
  createdAt: z.string(),
});
export type ConnectionView = z.infer<typeof connectionViewSchema>;

export const connectionListQuery = offsetPageQuery.extend({
  search: z.string().max(200).optional().describe('Case-insensitive match on the name.'),
  scope: connectionScopeSchema.optional(),
  type: connectionTypeSchema.optional(),
});
export type ConnectionListQuery = z.infer<typeof connectionListQuery>;

export const connectionPageSchema = offsetPageSchema(connectionViewSchema);
