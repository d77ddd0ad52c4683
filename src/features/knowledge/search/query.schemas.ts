import { z } from 'zod';

export const knowledgeQueryBody = z
  .object({
    terms: z
      .array(z.string().trim().min(1, 'must not be empty').max(4_000))
      .min(1)
      .max(10)
      .describe('What to search for; each term is searched on its own and a document scores its best over the terms.'),
    collections: z.array(z.string().min(1).max(64)).min(1).max(50).describe('Collection ids of the organization to search.'),
    top: z.number().int().min(1).max(100).default(10).describe('Most documents returned (default 10).'),
    minScore: z.number().min(0).max(1).default(0).describe('Leaves out results scoring below it (0–1, default 0).'),
    includeReferences: z
      .boolean()
      .default(false)
      .describe('Adds `referencedDocuments`: the other documents of the same collection with the same `reference` (at most 10 per result).'),
    mode: z
      .enum(['hybrid', 'vector', 'fullText'])
      .default('hybrid')
      .describe('Agentry extension: `hybrid` (the default) fuses both rankings; `vector` or `fullText` uses one alone, e.g. to see why a passage matched.'),
  })
  .strict()
  .meta({
    example: {
      terms: ['What is the capital of France?'],
      collections: ['0198683a-2b6d-7066-9598-6ea119c219f2'],
      top: 10,
      minScore: 0.5,
      includeReferences: true,
    },
  });
export type KnowledgeQueryBody = z.infer<typeof knowledgeQueryBody>;

export const knowledgeQueryResultSchema = z
  .object({
    documentId: z.string(),
    documentName: z.string(),
    documentContent: z.string().describe('The passage (chunk) of the document that matched best.'),
    score: z
      .number()
      .describe(
        'Relevance from 0 to 1, the same on SQLite and PostgreSQL: reciprocal rank fusion of the vector ranking (each entry weighted by its cosine similarity) and the full-text ranking (each weighted by the share of the query’s keywords it holds), divided by the best possible score. 1 means first in both rankings with full evidence; a passage found by meaning alone scores at most about half its cosine similarity, one found by keywords alone at most half.',
      ),
    metadata: z.record(z.string(), z.unknown()).describe('The document’s metadata.'),
    referencedDocuments: z
      .array(z.object({ documentId: z.string(), documentContent: z.string() }))
      .optional()
      .describe('With `includeReferences`: sibling documents sharing the result’s `reference`.'),
    collectionId: z.string().describe('Agentry extension: the collection of the document.'),
    reference: z.string().nullable().describe('Agentry extension: the document’s reference.'),
  })
  .meta({
    example: {
      documentId: '019be299-69a7-7668-95d0-3dee083710dc',
      documentName: 'reasoning-models.pdf:8',
      documentContent: 'Reasoning models demonstrate higher chain-of-thought faithfulness than non-reasoning models.',
      score: 0.93,
      metadata: { page: 8 },
      referencedDocuments: [{ documentId: '019be299-6990-7c9e-9fcd-6c6037b03d16', documentContent: 'Chain-of-thought faithfulness is …' }],
      collectionId: '0198683a-2b6d-7066-9598-6ea119c219f2',
      reference: 'reasoning-models.pdf',
    },
  });
