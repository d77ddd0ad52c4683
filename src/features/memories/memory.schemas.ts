import { z } from 'zod';
import { offsetPageQuery } from '../../platform/paging.js';

export const memoryFormatSchema = z
  .enum(['Text', 'DateReminder'])
  .describe('Text: a lasting fact about the user. DateReminder: something tied to a date, forgotten after `expiresAt`.');
export type MemoryFormat = z.infer<typeof memoryFormatSchema>;

/** Longest memory an agent may store; memories are injected in prompts, so they stay short. */
export const MEMORY_CONTENT_MAX_CHARACTERS = 2_000;
const EXTERNAL_USER_ID_MAX = 500;

export const memorySummarySchema = z
  .object({
    id: z.string(),
    externalUserId: z.string(),
    content: z.string().nullable(),
    format: memoryFormatSchema,
  })
  .meta({ example: { id: '019ad1c4-6b2e-7f30-8a41-2c5d9e0f1a2b', externalUserId: 'customer-123', content: 'Prefers email over phone.', format: 'Text' } });
export type MemorySummary = z.infer<typeof memorySummarySchema>;

export const memoryViewSchema = z
  .object({
    id: z.string(),
    externalUserId: z.string(),
    content: z.string(),
    format: memoryFormatSchema,
    createdAt: z.string(),
    expiresAt: z.string().nullable().describe('DateReminder memories only; null for Text.'),
    agentId: z.string().nullable().describe('Agentry extension: the agent that stored the memory.'),
    updatedAt: z.string().describe('Agentry extension: last time an agent stored the same memory again.'),
  })
  .meta({
    example: {
      id: '019ad1c4-6b2e-7f30-8a41-2c5d9e0f1a2b',
      externalUserId: 'customer-123',
      content: 'Dentist appointment on 2026-12-14 at 09:30.',
      format: 'DateReminder',
      createdAt: '2026-12-01T10:00:00.000Z',
      expiresAt: '2026-12-14T10:30:00.000Z',
      agentId: '019ad1b0-1d2e-7c3f-9a4b-5c6d7e8f9a0b',
      updatedAt: '2026-12-01T10:00:00.000Z',
    },
  });
export type MemoryView = z.infer<typeof memoryViewSchema>;

export const memoryListQuery = offsetPageQuery.extend({
  filter: z.string().max(500).optional().describe('Case-insensitive match on any part of the memory id, content or external user id.'),
  format: memoryFormatSchema.optional(),
});
export type MemoryListQuery = z.infer<typeof memoryListQuery>;

export const memoryIdParams = z.object({ id: z.string().max(64).describe('The memory id (a UUID).') });

const externalUserId = z.string().min(1).max(EXTERNAL_USER_ID_MAX);

/** The spec's rules live here so a broken query is a 400 naming the field, before the service runs. */
export const deleteMemoriesQuery = z
  .object({
    id: z.uuid().optional().describe('Deletes one memory. Cannot be combined with externalUserId.'),
    externalUserId: externalUserId.optional().describe('Deletes the memories of this external user. Cannot be combined with id.'),
    format: memoryFormatSchema.optional().describe('Required when deleting by externalUserId: only memories of this format are deleted.'),
  })
  .superRefine((query, context) => {
    if (query.id !== undefined && query.externalUserId !== undefined) {
      context.addIssue({ code: 'custom', path: ['id'], message: 'cannot be combined with externalUserId; send one of them' });
    } else if (query.id === undefined && query.externalUserId === undefined) {
      context.addIssue({ code: 'custom', path: ['id'], message: 'send either id or externalUserId' });
    } else if (query.externalUserId !== undefined && query.format === undefined) {
      context.addIssue({ code: 'custom', path: ['format'], message: 'is required when deleting by externalUserId (Text or DateReminder)' });
    } else if (query.id !== undefined && query.format !== undefined) {
      context.addIssue({ code: 'custom', path: ['format'], message: 'applies only when deleting by externalUserId' });
    }
  });
export type DeleteMemoriesQuery = z.infer<typeof deleteMemoriesQuery>;

export const memoriesDeletedSchema = z
  .object({
    message: z.string(),
    removedCount: z.number().int(),
    externalUserId: z.string().nullable().describe('The user whose memories were deleted (for a deletion by id: the memory’s user).'),
    format: memoryFormatSchema.nullable(),
  })
  .meta({ example: { message: 'Memories deleted successfully.', removedCount: 2, externalUserId: 'customer-123', format: 'Text' } });
export type MemoriesDeleted = z.infer<typeof memoriesDeletedSchema>;

/** What the service deletes: one memory, or one user's memories (of one format, or all). */
export type MemorySelector = { readonly id: string } | { readonly externalUserId: string; readonly format?: MemoryFormat };

/** The selector a valid DELETE query names (the schema has already refused the other combinations). */
export function memorySelectorOf(query: DeleteMemoriesQuery): MemorySelector {
  if (query.id !== undefined) return { id: query.id };
  return { externalUserId: query.externalUserId ?? '', ...(query.format ? { format: query.format } : {}) };
}
