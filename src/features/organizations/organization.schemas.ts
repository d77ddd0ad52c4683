import { z } from 'zod';
import { connectionTypeSchema } from '../connections/index.js';

/** Organization settings. Later features add theirs here, so the whole set is validated in one place. */
export const organizationParametersSchema = z
  .object({
    allowConversationsLogging: z.boolean().describe('Whether conversation turns are stored.'),
    automaticJsonHealing: z.boolean().describe('Repair malformed JSON produced by models when a JSON reply is required.'),
    auditLogRetentionDays: z
      .number()
      .int()
      .min(1)
      .max(36_500)
      .nullable()
      .describe('Days audit events are kept; null uses the operator default (AGENTRY_AUDIT_RETENTION_DAYS).'),
    disabledConnectionTypes: z
      .array(connectionTypeSchema)
      .max(10)
      .describe('Governance: connection types that may not be used in this organization.'),
  })
  .strict();
export type OrganizationParameters = z.infer<typeof organizationParametersSchema>;

export const defaultOrganizationParameters: OrganizationParameters = {
  allowConversationsLogging: true,
  automaticJsonHealing: false,
  auditLogRetentionDays: null,
  disabledConnectionTypes: [],
};

export const updateAccountBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    parameters: organizationParametersSchema.partial().optional(),
  })
  .strict()
  .meta({ example: { name: 'Acme Support', parameters: { allowConversationsLogging: true, automaticJsonHealing: false } } });
export type UpdateAccountInput = z.infer<typeof updateAccountBody>;

export const accountSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    parameters: organizationParametersSchema,
    balance: z.number().describe('Set by the operator; each model call deducts its cost while balanceLimited is true.'),
    balanceLimited: z.boolean().describe('True once an operator set a balance: inference then answers 402 when it reaches zero.'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({
    example: {
      id: '019ab6ee-0000-7000-8000-000000000001',
      name: 'Acme Support',
      parameters: { allowConversationsLogging: true, automaticJsonHealing: false, auditLogRetentionDays: 365, disabledConnectionTypes: [] },
      balance: 25.5,
      balanceLimited: true,
      createdAt: '2026-10-01T09:00:00.000Z',
      updatedAt: '2026-11-23T18:04:00.000Z',
    },
  });
export type AccountView = z.infer<typeof accountSchema>;

export type BalanceChange = { readonly set: number } | { readonly add: number };
