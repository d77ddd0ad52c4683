import { z } from 'zod';
import { offsetPageQuery } from '../../platform/paging.js';

export const MAX_DOCUMENT_CHARACTERS = 2_000_000;
const MAX_DOCUMENT_TAGS = 50;

export const documentStateSchema = z
  .enum(['Queued', 'Cancelled', 'Indexed', 'Failed'])
  .describe(
    'Queued: waiting for the indexing pipeline (every new or changed document starts here). Indexed: its current contents are searchable. Cancelled: indexing was stopped. Failed (Agentry extension): the pipeline gave up after its retries; `stateReason` says why.',
  );

/** Tags are matched inside the stored JSON text, so they may hold neither quotes nor backslashes (see the decision note). */
const tag = z
  .string()
  .min(1)
  .max(100)
  .refine((value) => ![...value].some((character) => character === '"' || character === '\\' || character.charCodeAt(0) < 0x20), 'must not contain quotes, backslashes or control characters');

export const documentBody = z
  .object({
    name: z
      .string()
      .max(1_000)
      .refine((value) => value.trim() !== '', 'must not be empty')
      .describe('Unique in the collection: a PUT with a name the collection has updates that document.'),
    contents: z
      .string()
      .max(MAX_DOCUMENT_CHARACTERS)
      .refine((value) => value.trim() !== '', 'must not be empty')
      .describe('The full text; at most 2,000,000 characters.'),
    reference: z.string().max(2_000).nullable().optional().describe('Groups documents cut from one source; search returns siblings by it.'),
    tags: z.array(tag).max(MAX_DOCUMENT_TAGS).nullable().optional(),
    metadata: z.record(z.string(), z.unknown()).nullable().optional().describe('Any JSON object, returned with search results.'),
  })
  .strict()
  .meta({
    example: {
      name: 'manual-x200:3',
      contents: 'To reset the X200, hold the power button for ten seconds.',
      reference: 'manual-x200.pdf',
      tags: ['x200', 'troubleshooting'],
      metadata: { page: 3 },
    },
  });
export type DocumentInput = z.infer<typeof documentBody>;

export const documentIdParams = z.object({
  id: z.string().max(64).describe('The collection id.'),
  documentId: z.string().max(64).describe('The document id.'),
});

export const documentSortSchema = z
  .enum(['created_at_desc', 'created_at_asc', 'updated_at_desc', 'updated_at_asc', 'name_asc', 'name_desc'])
  .default('created_at_desc');
export type DocumentSort = z.infer<typeof documentSortSchema>;

export const documentListQuery = offsetPageQuery.extend({
  filter: z
    .string()
    .max(2_000)
    .optional()
    .describe(
      '`-t <tag>` keeps documents carrying that tag (repeat it to require several), `-n <text>` documents whose name contains the text, `-r <text>` documents whose reference contains it; text outside an option is matched against the name. Values with spaces go in double quotes. Matching ignores case.',
    ),
  order_by: documentSortSchema,
  state: z.enum(['queued', 'indexed', 'cancelled', 'failed', 'Queued', 'Indexed', 'Cancelled', 'Failed']).optional().describe('Keeps documents in that state.'),
});
export type DocumentListQuery = z.infer<typeof documentListQuery>;

export const documentSummarySchema = z.object({
  id: z.string(),
  updatedAt: z.string(),
  name: z.string(),
  reference: z.string().nullable(),
  tags: z.array(z.string()),
  contentsPreview: z.string().describe('The first 200 characters of the contents.'),
  indexState: documentStateSchema,
});
export type DocumentSummary = z.infer<typeof documentSummarySchema>;

export const documentViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    state: documentStateSchema,
    contents: z.string(),
    reference: z.string().nullable(),
    tags: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    indexedAt: z.string().nullable().describe('When the current contents were indexed; null while Queued.'),
    stateReason: z
      .string()
      .nullable()
      .describe('Agentry extension: why the document is in its state, e.g. the embedding error of a Failed document, or of the last failed attempt while it is Queued for a retry.'),
    characterCount: z.number().int().describe('Unicode code points.'),
    wordCount: z.number().int().describe('Runs of non-whitespace characters.'),
    approximateTokenCount: z.number().int().describe('ceil(characterCount / 4).'),
    metadata: z.record(z.string(), z.unknown()),
  })
  .meta({
    example: {
      id: '019ad1c4-6b2e-7f30-8a41-2c5d9e0f1a2b',
      name: 'manual-x200:3',
      state: 'Queued',
      contents: 'To reset the X200, hold the power button for ten seconds.',
      reference: 'manual-x200.pdf',
      tags: ['x200', 'troubleshooting'],
      createdAt: '2026-12-01T10:00:00.000Z',
      updatedAt: '2026-12-01T10:00:00.000Z',
      indexedAt: null,
      stateReason: null,
      characterCount: 57,
      wordCount: 11,
      approximateTokenCount: 15,
      metadata: { page: 3 },
    },
  });
export type DocumentView = z.infer<typeof documentViewSchema>;

export const documentUpsertResultSchema = z.object({
  documentId: z.string(),
  state: documentStateSchema,
  result: z
    .enum(['Created', 'Updated', 'Unchanged'])
    .describe(
      'Agentry extension. Created: a new document. Updated: new contents (Queued again), or only reference, tags or metadata changed (state kept). Unchanged: same contents and fields, nothing written.',
    ),
});
export type DocumentUpsertResult = z.infer<typeof documentUpsertResultSchema>;

/** The multipart body, for the OpenAPI document only: the file is read as a stream, line by line. */
export const importDocumentsBody = z.object({
  documents: z.file().describe('The JSONL file, sent as the multipart/form-data field `documents`: one document per line.'),
});

export const documentImportResultSchema = z.object({
  enqueued: z.number().int().describe('Documents written as Queued: new ones and those whose contents changed.'),
  skipped: z
    .number()
    .int()
    .describe(
      'Lines not queued: invalid lines (see `invalidLines`), and lines whose document already has the same contents (their reference, tags and metadata are updated when they differ).',
    ),
  created: z.number().int().describe('Agentry extension: the new documents among `enqueued`.'),
  updated: z.number().int().describe('Agentry extension: the changed documents among `enqueued`.'),
  invalid: z.number().int().describe('Agentry extension: the invalid lines among `skipped`.'),
  invalidLines: z
    .array(z.object({ line: z.number().int(), field: z.string(), rule: z.string(), message: z.string() }))
    .describe('Agentry extension: what is wrong with each invalid line (line numbers count every line from 1; at most 100 listed).'),
});
export type DocumentImportResult = z.infer<typeof documentImportResultSchema>;

/** One line of an export, and of an import once defaults are filled in. */
export interface PortableDocument {
  readonly name: string;
  readonly contents: string;
  readonly reference: string | null;
  readonly tags: string[];
  readonly metadata: Record<string, unknown>;
}
