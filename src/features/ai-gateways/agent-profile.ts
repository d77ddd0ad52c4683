import { z } from 'zod';

/**
 * What makes a gateway an agent beyond its model parameters: how it presents
 * itself (Organization and Agent-key contracts), how it opens a conversation,
 * and the knowledge, tools and sub-agents later features read. Stored as JSON
 * in `ai_gateways.profile`; unlike the parameters it is Agentry's own shape, so
 * unknown fields are refused rather than kept.
 */

/**
 * raia's spec types `status` as an enum without listing its values. Agentry
 * uses the two states an integration can act on; `inactive` is descriptive
 * until a feature refuses work for inactive agents.
 */
export const agentStatusSchema = z.enum(['active', 'inactive']).describe('`active` (default) or `inactive`.');
export type AgentStatus = z.infer<typeof agentStatusSchema>;

export const dataSourceCollectionSchema = z
  .object({
    id: z.string().min(1).max(64).describe('Id of a data source collection of the organization.'),
    maxChunks: z.number().int().min(1).max(100).nullable().optional().describe('Most chunks taken from the collection per turn.'),
    relevanceThreshold: z.number().min(0).max(1).nullable().optional().describe('Chunks scoring below it are left out (0-1).'),
  })
  .strict();
export type DataSourceCollection = z.infer<typeof dataSourceCollectionSchema>;

const text = (max: number) => z.string().max(max);

export const agentProfileSchema = z
  .object({
    description: text(4000).nullable().optional(),
    initialMessage: text(20_000).nullable().optional().describe('The assistant message a new conversation opens with.'),
    isPublic: z.boolean().optional().describe('Visible to every member of the organization, not only its owner.'),
    publicChat: z.boolean().optional().describe('Whether the agent answers an anonymous public chat page; its look is in `widgetSettings`.'),
    widgetSettings: z.looseObject({}).nullable().optional().describe('Settings of the chat widget, stored and returned as sent.'),
    enableFeedback: z.boolean().optional().describe('Users may rate the agent’s messages.'),
    enableFileUpload: z.boolean().optional().describe('Users may attach files to their messages.'),
    icon: text(2000).nullable().optional().describe('An icon name, emoji or image URL; the Agent-key API shows it as `avatarUrl`.'),
    iconColor: text(50).nullable().optional(),
    sharedTools: z.array(z.unknown()).max(200).optional().describe('Tools shared in the organization that the agent may call (stored for the tools feature).'),
    privateTools: z.array(z.unknown()).max(200).optional().describe('Tools only this agent has (stored for the tools feature).'),
    subAgents: z
      .array(z.string().min(1).max(64))
      .max(50)
      .optional()
      .describe('Ids of other agents of the organization this agent may delegate to.'),
    dataSourceCollections: z.array(dataSourceCollectionSchema).max(50).optional(),
    publicName: text(200).nullable().optional().describe('Name shown to end users; the agent’s name when unset.'),
    role: text(200).nullable().optional().describe('What the agent does, e.g. "Customer support".'),
    status: agentStatusSchema.optional(),
    tags: z.array(z.string().min(1).max(100)).max(50).nullable().optional(),
  })
  .strict();
export type AgentProfile = z.infer<typeof agentProfileSchema>;

/**
 * Applies a change: each field sent replaces the stored one (objects and arrays
 * as a whole) and null clears it, so the stored JSON holds only what is set.
 */
export function mergeAgentProfile(stored: AgentProfile, change: AgentProfile): AgentProfile {
  const merged: Record<string, unknown> = { ...stored };
  for (const [field, value] of Object.entries(change)) {
    if (value === undefined) continue;
    if (value === null) delete merged[field];
    else merged[field] = value;
  }
  return merged as AgentProfile;
}
