import { z } from 'zod';

export const fileViewSchema = z
  .object({
    id: z.string(),
    fileName: z.string(),
    mimeType: z.string().describe('Detected from the content (magic numbers, then a text sniff); the type the client declared is ignored.'),
    size: z.number().int().describe('Agentry extension: size in bytes.'),
    createdAt: z.string().describe('Agentry extension.'),
    expiresAt: z.string().describe('Agentry extension: after this time the file is gone (AGENTRY_FILE_TTL_HOURS after upload).'),
  })
  .meta({
    example: {
      id: '019ab6f0-3c1e-7e2a-9d4b-0c7f3a1b2c3d',
      fileName: 'contract.pdf',
      mimeType: 'application/pdf',
      size: 482_113,
      createdAt: '2026-11-23T18:04:00.000Z',
      expiresAt: '2026-11-24T18:04:00.000Z',
    },
  });
export type FileView = z.infer<typeof fileViewSchema>;

/** The multipart body, for the OpenAPI document only: multipart is read as a stream, not validated as a whole. */
export const uploadFileBody = z.object({
  file: z.file().describe('The file, sent as the multipart/form-data field `file`.'),
});

export const fileIdParams = z.object({ id: z.string().max(64) });

/**
 * One file as context for a model turn: its text (extracted once and cached,
 * capped at 200,000 characters with a note when cut) or, for images models
 * read (PNG, JPEG, GIF, WebP), a data URL.
 */
export type TurnFile =
  | { readonly id: string; readonly fileName: string; readonly mimeType: string; readonly kind: 'text'; readonly text: string }
  | { readonly id: string; readonly fileName: string; readonly mimeType: string; readonly kind: 'image'; readonly dataUrl: string };
