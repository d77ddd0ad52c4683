import { z } from 'zod';
import { offsetPageQuery, offsetPageSchema } from '../../platform/paging.js';

export const changeTypeSchema = z.enum(['Created', 'Updated', 'Deleted']);
export type ChangeType = z.infer<typeof changeTypeSchema>;

export const auditListQuery = offsetPageQuery.extend({
  from: z.iso.datetime({ offset: true }).optional().describe('Only events at or after this time (ISO-8601).'),
  to: z.iso.datetime({ offset: true }).optional().describe('Only events before this time (ISO-8601).'),
  changeType: changeTypeSchema.optional(),
  userId: z.string().max(64).optional().describe('Only events made with this API key id.'),
  entityType: z.string().max(100).optional().describe('Only events about this entity type, e.g. `ApiKey`.'),
  entityId: z.string().max(64).optional(),
});
export type AuditListFilters = z.infer<typeof auditListQuery>;

export const auditEventSchema = z
  .object({
    id: z.string(),
    correlationId: z.string(),
    createdAt: z.string(),
    userId: z.string().nullable().describe('Id of the API key that made the change; null for operator actions.'),
    userName: z.string().nullable().describe('Label of that key, or `operator (cli)`.'),
    entityType: z.string(),
    entityId: z.string(),
    changeType: changeTypeSchema,
  })
  .meta({
    example: {
      id: '019ab6f0-3c1e-7e2a-9d4b-0c7f3a1b2c3d',
      correlationId: 'f2c1b0a9-8e7d-4c6b-a5f4-e3d2c1b0a998',
      createdAt: '2026-11-23T18:04:00.000Z',
      userId: '019ab6ef-1111-7aaa-8bbb-cccccccccccc',
      userName: 'crm-integration',
      entityType: 'ApiKey',
      entityId: '019ab6f0-2222-7ddd-8eee-ffffffffffff',
      changeType: 'Created',
    },
  });

export const changedPropertySchema = z.object({
  propertyName: z.string(),
  oldValue: z.unknown(),
  newValue: z.unknown(),
});

export const auditEventDetailSchema = auditEventSchema.extend({
  changedProperties: z.array(changedPropertySchema),
});

export const auditEventPageSchema = offsetPageSchema(auditEventSchema);

export type AuditEventView = z.infer<typeof auditEventSchema>;
export type AuditEventDetail = z.infer<typeof auditEventDetailSchema>;
