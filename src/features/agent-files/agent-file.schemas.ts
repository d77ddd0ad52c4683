import { z } from 'zod';
import { numberedPageQuery, numberedPageSchema } from '../../platform/paging.js';

export const agentFileStatusSchema = z
  .enum(['uploaded', 'added_to_assistant'])
  .describe('`uploaded`: stored, its text extracted, not searchable. `added_to_assistant`: its text is a document of the agent’s files collection (indexed by the knowledge pipeline).');

export const agentFileViewSchema = z
  .object({
    id: z.string(),
    agentId: z.string(),
    name: z.string().describe('The upload’s `name` field, else the name of the uploaded file.'),
    mimeType: z.string().describe('Detected from the content (magic numbers, then a text sniff and the extension); the type the client declared is ignored.'),
    size: z.number().int().describe('Size in bytes of the original file.'),
    status: agentFileStatusSchema,
    addedToAssistant: z.boolean(),
    collectionId: z.string().nullable().describe('The agent’s files collection once the file is added to the assistant.'),
    documentId: z.string().nullable().describe('The knowledge document holding the file’s text once added to the assistant.'),
    textTruncated: z.boolean().describe('True when the file has more text than the 2,000,000 characters kept (the most one knowledge document holds).'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({
    example: {
      id: '019ad2e1-7a3b-7c40-9e12-3f4a5b6c7d8e',
      agentId: '019ad1c4-6b2e-7f30-8a41-2c5d9e0f1a2b',
      name: 'returns-policy.pdf',
      mimeType: 'application/pdf',
      size: 182_113,
      status: 'uploaded',
      addedToAssistant: false,
      collectionId: null,
      documentId: null,
      textTruncated: false,
      createdAt: '2026-12-02T09:30:00.000Z',
      updatedAt: '2026-12-02T09:30:00.000Z',
    },
  });
export type AgentFileView = z.infer<typeof agentFileViewSchema>;

export const agentFilePageSchema = numberedPageSchema(agentFileViewSchema);

export const agentFileListQuery = numberedPageQuery;
export type AgentFileListQuery = z.infer<typeof agentFileListQuery>;

export const agentFileIdParams = z.object({ id: z.string().max(64).describe('Agent file id.') });

/** The multipart body, for the OpenAPI document only: multipart is read as a stream, not validated as a whole. */
export const uploadAgentFileBody = z.object({
  name: z
    .string()
    .max(255)
    .optional()
    .describe('The name to show instead of the file’s own; send it before `file`, since fields after the file are not read.'),
  file: z.file().describe('The document: PDF, DOCX, HTML, Markdown, plain text or CSV, sent as the multipart/form-data field `file`.'),
});
