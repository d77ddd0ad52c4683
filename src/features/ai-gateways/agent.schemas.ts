import { z } from 'zod';
import { offsetPageQuery, offsetPageSchema } from '../../platform/paging.js';
import { aiGatewayParametersSchema } from './ai-gateway-parameters.js';
import { agentProfileSchema, agentStatusSchema, dataSourceCollectionSchema } from './agent-profile.js';

/**
 * The agent as the Organization API (siesta-external-api.txt) and the Agent-key
 * API (raia-external-agents.txt) name it. It is the same row as an AI gateway:
 * model fields map onto the gateway parameters, the rest is the agent profile.
 */

const modelParametersSchema = z
  .object({
    temperature: z.number().min(0).max(2).nullable().optional().describe('Gateway `temperature`.'),
    topP: z.number().min(0).max(1).nullable().optional().describe('Gateway `topP`.'),
    maxTokens: z.number().int().min(1).nullable().optional().describe('Gateway `maxCompletionTokens`.'),
  })
  .strict();

const agentFields = agentProfileSchema.extend({
  name: z.string().trim().min(1).max(200),
  systemMessage: z.string().max(500_000).nullable().optional().describe('Gateway `systemInstruction`.'),
  connectionId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('Id or name of a connection of the organization (or of the operator). Absent: the connection in `modelName`, else the organization’s default connection.'),
  modelName: aiGatewayParametersSchema.shape.modelName.describe('A model of the connection, or `@<connection>/<model>` (then `connectionId` is not needed).'),
  modelParameters: modelParametersSchema.optional().describe('Each field sent replaces the stored one; null clears it.'),
  reasoningEffort: z.string().min(1).max(50).nullable().optional().describe('Gateway `reasoningEffort`, e.g. `low`, `medium`, `high`.'),
});

const example = {
  name: 'Support agent',
  description: 'Answers questions about Acme products.',
  systemMessage: 'You are Acme’s support agent. Be brief.',
  initialMessage: 'Hi! How can I help you today?',
  connectionId: 'groq',
  modelName: 'llama-3.3-70b-versatile',
  modelParameters: { temperature: 0.3, maxTokens: 1024 },
  dataSourceCollections: [{ id: '019ab6f0-0000-7000-8000-00000000c011', maxChunks: 5, relevanceThreshold: 0.4 }],
  isPublic: true,
  enableFeedback: true,
  icon: 'headset',
  iconColor: '#1e88e5',
};

export const createAgentBody = agentFields.strict().meta({ example });
export type CreateAgentInput = z.infer<typeof createAgentBody>;

/** Fields a GET shows that no request changes; an update accepts and ignores them so a GET body can be sent back as is. */
const readOnlyFields = {
  id: z.string().optional().describe('Read-only: ignored.'),
  slug: z.string().optional().describe('Read-only here (the Gateway API changes it): ignored.'),
  createdAt: z.string().optional().describe('Read-only: ignored.'),
  updatedAt: z.string().optional().describe('Read-only: ignored.'),
};

export const updateAgentBody = agentFields
  .extend({ name: agentFields.shape.name.optional(), modelName: agentFields.shape.modelName.optional(), ...readOnlyFields })
  .strict()
  .meta({ example: { initialMessage: 'Hello again!', modelParameters: { temperature: 0.7 } } });
export type UpdateAgentInput = z.infer<typeof updateAgentBody>;

export const agentListQuery = offsetPageQuery.extend({
  search: z.string().max(200).optional().describe('Case-insensitive match on any part of the name.'),
});
export type AgentListQuery = z.infer<typeof agentListQuery>;

export const agentSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  isPublic: z.boolean(),
  icon: z.string().nullable(),
  iconColor: z.string().nullable(),
  modelName: z.string().describe('The model, without its connection (as in the create request).'),
});
export type AgentSummary = z.infer<typeof agentSummarySchema>;

export const agentPageSchema = offsetPageSchema(agentSummarySchema);

export const agentViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string().describe('The gateway slug: `/v1/chat/completions` accepts it as `model`, like the id.'),
    description: z.string().nullable(),
    systemMessage: z.string().nullable(),
    initialMessage: z.string().nullable(),
    connectionId: z
      .string()
      .nullable()
      .describe('Id of the connection the model is called through; its name if no such connection exists any more; null when the gateway calls a `baseAddress` directly.'),
    modelName: z.string(),
    modelParameters: z.object({ temperature: z.number().nullable(), topP: z.number().nullable(), maxTokens: z.number().int().nullable() }),
    reasoningEffort: z.string().nullable(),
    dataSourceCollections: z.array(dataSourceCollectionSchema),
    sharedTools: z.array(z.unknown()),
    privateTools: z.array(z.unknown()),
    subAgents: z.array(z.string()),
    isPublic: z.boolean(),
    publicChat: z.boolean(),
    widgetSettings: z.record(z.string(), z.unknown()).nullable(),
    enableFeedback: z.boolean(),
    enableFileUpload: z.boolean(),
    icon: z.string().nullable(),
    iconColor: z.string().nullable(),
    publicName: z.string().nullable(),
    role: z.string().nullable(),
    status: agentStatusSchema,
    tags: z.array(z.string()).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({
    example: {
      ...example,
      id: '019ab6f0-3c1e-7e2a-9d4b-0c7f3a1b2c3d',
      slug: 'support-agent',
      connectionId: '019ab6ef-1111-7aaa-8bbb-cccccccccccc',
      modelParameters: { temperature: 0.3, topP: null, maxTokens: 1024 },
      reasoningEffort: null,
      sharedTools: [],
      privateTools: [],
      subAgents: [],
      publicChat: false,
      widgetSettings: null,
      enableFileUpload: false,
      publicName: null,
      role: null,
      status: 'active',
      tags: null,
      createdAt: '2026-11-23T18:04:00.000Z',
      updatedAt: '2026-11-23T18:04:00.000Z',
    },
  });
export type AgentView = z.infer<typeof agentViewSchema>;

export const agentByApiKeySchema = z
  .object({
    organizationId: z.string(),
    organizationName: z.string(),
    id: z.string(),
    name: z.string(),
    publicName: z.string().describe('The profile’s `publicName`, else the name.'),
    role: z.string().describe('The profile’s `role`; empty when unset.'),
    description: z.string().optional(),
    vectorStoreId: z.string().describe('Always empty: Agentry keeps knowledge in its own collections, not in an OpenAI vector store.'),
    avatarUrl: z.string().optional().describe('The agent’s `icon`, when set.'),
    status: agentStatusSchema,
    tags: z.array(z.string()).nullable(),
  })
  .meta({
    example: {
      organizationId: '019ab6ee-0000-7000-8000-000000000001',
      organizationName: 'Acme',
      id: '019ab6f0-3c1e-7e2a-9d4b-0c7f3a1b2c3d',
      name: 'Support agent',
      publicName: 'Ada from Acme',
      role: 'Customer support',
      description: 'Answers questions about Acme products.',
      vectorStoreId: '',
      avatarUrl: 'https://cdn.acme.example/ada.png',
      status: 'active',
      tags: ['support', 'eu'],
    },
  });
export type AgentByApiKey = z.infer<typeof agentByApiKeySchema>;
