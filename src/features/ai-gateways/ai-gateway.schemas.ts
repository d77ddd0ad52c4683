import { z } from 'zod';
import { aiGatewayParametersSchema } from './ai-gateway-parameters.js';
import { agentProfileSchema } from './agent-profile.js';

/** What reads show instead of a stored provider key; a PATCH that sends it back keeps the key. */
export const MASKED_API_KEY = '********';

/** Slugs are URL- and path-safe so they can name a gateway wherever an id can. */
export const slugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 lower-case letters, digits or "-", starting with a letter or digit')
  .describe('Unique in the organization; derived from the name when not sent.');

const gatewayName = z.string().trim().min(1).max(200);

const example = {
  name: 'Support bot',
  parameters: {
    baseAddress: '',
    modelName: '@openai/gpt-4o-mini',
    temperature: 0.3,
    systemInstruction: 'You answer customer questions about Acme products.',
    contextMaximumSize: 16000,
    contextOverflowAction: 'Truncate',
    flags: ['NoStopParameter'],
    fallbackModels: ['@groq/llama-3.3-70b-versatile'],
    limits: { requestsPerMinute: 60 },
  },
};

export const createAiGatewayBody = z
  .object({
    name: gatewayName,
    slug: slugSchema.optional(),
    parameters: aiGatewayParametersSchema,
    profile: agentProfileSchema
      .optional()
      .describe('Agentry extension: the agent side of the gateway (description, initial message, icon, sub-agents…), as `/api/v1/Agent` shows it.'),
  })
  .strict()
  .meta({ example });
export type CreateAiGatewayInput = z.infer<typeof createAiGatewayBody>;

export const updateAiGatewayBody = z
  .object({
    name: gatewayName.optional(),
    slug: slugSchema.optional(),
    parameters: aiGatewayParametersSchema
      .partial()
      .optional()
      .describe('Merged at the top level: each field sent replaces the stored one (nested objects as a whole); fields not sent keep their value.'),
    profile: agentProfileSchema
      .optional()
      .describe('Merged like `parameters`; null clears a field.'),
  })
  .strict()
  .meta({ example: { parameters: { temperature: 0.7, apiKey: MASKED_API_KEY } } });
export type UpdateAiGatewayInput = z.infer<typeof updateAiGatewayBody>;

export const aiGatewayParametersViewSchema = aiGatewayParametersSchema.extend({
  apiKey: z.literal(MASKED_API_KEY).nullable().describe('`********` when a key is stored, null when not; the key itself is never returned.'),
});

export const aiGatewayViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    parameters: aiGatewayParametersViewSchema,
    profile: agentProfileSchema.describe('Agentry extension: the agent profile; fields never set are absent.'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({
    example: {
      id: '019ab6f0-3c1e-7e2a-9d4b-0c7f3a1b2c3d',
      name: example.name,
      slug: 'support-bot',
      parameters: { ...example.parameters, apiKey: null },
      profile: { description: 'Answers questions about Acme products.', initialMessage: 'Hi! How can I help?', status: 'active' },
      createdAt: '2026-11-23T18:04:00.000Z',
      updatedAt: '2026-11-23T18:04:00.000Z',
    },
  });
export type AiGatewayView = z.infer<typeof aiGatewayViewSchema>;

export const aiGatewaySummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  inferenceEndpoint: z
    .string()
    .describe('Path of the OpenAI-compatible endpoint that serves the gateway (`/v1/chat/completions`), called with `model` set to the gateway id.'),
  modelName: z.string(),
  slug: z.string(),
});
export type AiGatewaySummary = z.infer<typeof aiGatewaySummarySchema>;

export const aiGatewayListQuery = z.object({
  filter: z
    .string()
    .max(200)
    .optional()
    .describe('Case-insensitive match on the name, model name, slug or id (any part of them).'),
});

export const createdAiGatewaySchema = z.object({ aiGatewayId: z.string() });
