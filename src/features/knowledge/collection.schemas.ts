import { z } from 'zod';
import { offsetPageQuery, offsetPageSchema } from '../../platform/paging.js';

const MAX_COLLECTION_TAGS = 50;

const collectionName = z
  .string()
  .max(200)
  .refine((value) => value.trim() !== '', 'must not be empty')
  .describe('Shown in lists and to agents; need not be unique.');
const context = z.string().max(10_000).nullable().optional().describe('What the collection holds; null clears it.');
const tagList = z.array(z.string().trim().min(1).max(100)).max(MAX_COLLECTION_TAGS);

/** The spec types `tags` as one string; an array is accepted too. A string is split on commas. */
const tags = z
  .union([z.string().max(5_000), tagList])
  .nullable()
  .optional()
  .describe('Comma-separated (`"faq, billing"`) as the spec types it, or an array of strings. Null or empty clears them.');

const embeddingModel = z
  .string()
  .max(300)
  .regex(/^(local|[A-Za-z0-9][\w.-]*:.+)$/, 'must be `local` or `<connection>:<model>`')
  .nullable()
  .optional()
  .describe(
    'Agentry extension: the embedding model, `local` (the built-in model) or `<connection>:<model>` (e.g. `openai:text-embedding-3-small`). Null or left out: the platform default (`AGENTRY_EMBEDDINGS`) when the collection is first indexed; after that the collection keeps the model its vectors were made with. Changing it re-embeds every document.',
  );
const chunkSize = z
  .number()
  .int()
  .min(32)
  .max(8192)
  .nullable()
  .optional()
  .describe('Agentry extension: the largest chunk, in approximate tokens (default 256). Changing it re-indexes every document.');
const chunkOverlap = z
  .number()
  .int()
  .min(0)
  .max(4095)
  .nullable()
  .optional()
  .describe('Agentry extension: tokens each chunk repeats from the end of the one before it (default 32; under half of `chunkSize`).');

/** The indexing settings both create and update accept. */
const indexSettings = { embeddingModel, chunkSize, chunkOverlap };

export const createCollectionBody = z
  .object({ collectionName, context, tags, ...indexSettings })
  .strict()
  .meta({ example: { collectionName: 'Product manuals', context: 'User manuals of every product we sell.', tags: 'manuals, support' } });
export type CreateCollectionInput = z.infer<typeof createCollectionBody>;

export const updateCollectionBody = z
  .object({ collectionName: collectionName.optional(), context, tags, ...indexSettings })
  .strict()
  .meta({ example: { collectionName: 'Product manuals (2026)' } });
export type UpdateCollectionInput = z.infer<typeof updateCollectionBody>;

export const collectionIdParams = z.object({ id: z.string().max(64).describe('The collection id (a UUID).') });

export const collectionStateSchema = z.object({
  total: z.number().int().describe('Documents in the collection.'),
  indexed: z.number().int().describe('Documents whose current contents are indexed.'),
  queued: z.number().int().describe('Documents waiting for the indexing pipeline.'),
  failed: z.number().int().describe('Agentry extension: documents the pipeline gave up on (see each document’s `stateReason`).'),
});
export type CollectionState = z.infer<typeof collectionStateSchema>;

export const collectionViewSchema = z
  .object({
    id: z.string().describe('Agentry extension.'),
    name: z.string(),
    context: z.string().nullable().describe('Agentry extension.'),
    createdAt: z.string(),
    updatedAt: z.string().describe('Agentry extension.'),
    state: collectionStateSchema,
    tags: z.array(z.string()),
    embeddingModel: z
      .string()
      .describe('Agentry extension: the model the collection is (or will be) embedded with: its own setting, else the model of its vectors, else the platform default.'),
    embeddingDimensions: z.number().int().nullable().describe('Agentry extension: the length of the collection’s vectors; null before its first indexed document.'),
    chunkSize: z.number().int().describe('Agentry extension: the largest chunk, in approximate tokens.'),
    chunkOverlap: z.number().int().describe('Agentry extension: tokens each chunk repeats from the one before it.'),
  })
  .meta({
    example: {
      id: '019ad1c4-6b2e-7f30-8a41-2c5d9e0f1a2b',
      name: 'Product manuals',
      context: 'User manuals of every product we sell.',
      createdAt: '2026-12-01T10:00:00.000Z',
      updatedAt: '2026-12-01T10:00:00.000Z',
      state: { total: 100, indexed: 90, queued: 10, failed: 0 },
      tags: ['manuals', 'support'],
      embeddingModel: 'local',
      embeddingDimensions: 512,
      chunkSize: 256,
      chunkOverlap: 32,
    },
  });
export type CollectionView = z.infer<typeof collectionViewSchema>;

export const collectionListQuery = offsetPageQuery.extend({
  search: z.string().max(200).optional().describe('Case-insensitive match on any part of the name.'),
});
export type CollectionListQuery = z.infer<typeof collectionListQuery>;

export const collectionCreatedSchema = z.object({ collectionId: z.string() });

export const collectionResetSchema = z.object({
  message: z.string(),
  removedCount: z.number().int().describe('Agentry extension: how many documents were deleted.'),
});

export const collectionRequeuedSchema = z.object({
  message: z.string(),
  enqueued: z.number().int().describe('Agentry extension: how many documents were marked Queued again.'),
});

// --- Organization API (siesta-external-api.txt: Data Source Collections) ---

export const dataSourceCollectionBody = z
  .object({
    name: collectionName,
    description: context,
    tags: tagList.nullable().optional(),
  })
  .strict()
  .meta({ example: { name: 'Product manuals', description: 'User manuals of every product we sell.', tags: ['manuals'] } });
export type DataSourceCollectionInput = z.infer<typeof dataSourceCollectionBody>;

export const updateDataSourceCollectionBody = z
  .object({
    name: collectionName.optional(),
    description: context,
    tags: tagList.nullable().optional(),
    id: z.string().optional().describe('Read-only: ignored.'),
    createdAt: z.string().optional().describe('Read-only: ignored.'),
    updatedAt: z.string().optional().describe('Read-only: ignored.'),
    documentCount: z.number().optional().describe('Read-only: ignored.'),
    indexedDocumentCount: z.number().optional().describe('Read-only: ignored.'),
    queuedDocumentCount: z.number().optional().describe('Read-only: ignored.'),
  })
  .strict()
  .meta({ example: { description: 'Manuals and release notes.' } });
export type UpdateDataSourceCollectionInput = z.infer<typeof updateDataSourceCollectionBody>;

export const dataSourceCollectionSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  documentCount: z.number().int(),
  indexedDocumentCount: z.number().int(),
  queuedDocumentCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DataSourceCollection = z.infer<typeof dataSourceCollectionSchema>;

export const dataSourceCollectionPageSchema = offsetPageSchema(dataSourceCollectionSchema);
