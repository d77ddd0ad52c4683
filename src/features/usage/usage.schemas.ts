import { z } from 'zod';

export const usageQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().describe('Start of the period (ISO-8601); default 30 days before `to`.'),
  to: z.iso.datetime({ offset: true }).optional().describe('End of the period, exclusive; default now.'),
  gatewayId: z.string().max(64).optional(),
  keyId: z.string().max(64).optional(),
  model: z.string().max(300).optional().describe('The model as clients named it, e.g. `@openai/gpt-4o-mini`.'),
  groupBy: z.enum(['day', 'model', 'gateway', 'key']).optional().describe('Split the totals into groups.'),
});
export type UsageQuery = z.infer<typeof usageQuery>;

const figures = z.object({
  requests: z.number().int(),
  errors: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  cachedTokens: z.number().int(),
  cost: z.number(),
  latencyMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() }),
  timeToFirstTokenMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }),
});
export type UsageFigures = z.infer<typeof figures>;

export const usageReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.string().nullable(),
    totals: figures,
    groups: z.array(figures.extend({ key: z.string().nullable().describe('The day, model, gateway id or key id.') })),
  })
  .meta({
    example: {
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-23T00:00:00.000Z',
      groupBy: 'model',
      totals: {
        requests: 120,
        errors: 2,
        promptTokens: 48000,
        completionTokens: 9100,
        cachedTokens: 12000,
        cost: 0.0131,
        latencyMs: { p50: 820, p95: 2100, p99: 3900 },
        timeToFirstTokenMs: { p50: 310, p95: 900 },
      },
      groups: [],
    },
  });
export type UsageReport = z.infer<typeof usageReportSchema>;
