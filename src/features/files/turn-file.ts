import type { FileMetadata, FileRow } from './file.repository.js';
import type { TurnFile } from './file.schemas.js';
import { TEXT_LIMIT_CHARACTERS } from './text-extraction.js';

/** Images models take as image parts; other image formats count as binary files. */
export const MODEL_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** About the ceiling providers put on one image (OpenAI, Anthropic, Gemini accept this much or less). */
export const IMAGE_LIMIT_BYTES = 20 * 1024 * 1024;

export type ExtractionState = Pick<FileRow, 'text_status' | 'extracted_text' | 'text_truncated' | 'text_error'>;

/**
 * A file's text as a turn gets it. Files without usable text still say so in
 * a short note, so the model knows a file was attached and why it sees nothing
 * of it, rather than the whole turn failing.
 */
export function textTurnFile(row: FileMetadata, state: ExtractionState): TurnFile {
  return { id: row.id, fileName: row.file_name, mimeType: row.mime_type, kind: 'text', text: describe(row, state) };
}

export function imageTurnFile(row: FileMetadata, content: Buffer): TurnFile {
  return { id: row.id, fileName: row.file_name, mimeType: row.mime_type, kind: 'image', dataUrl: `data:${row.mime_type};base64,${content.toString('base64')}` };
}

function describe(row: FileMetadata, state: ExtractionState): string {
  const name = JSON.stringify(row.file_name);
  switch (state.text_status) {
    case 'extracted': {
      const text = state.extracted_text ?? '';
      if (text === '') return `[The file ${name} contains no extractable text.]`;
      if (state.text_truncated !== 1) return text;
      return `${text}\n\n[Truncated: the file ${name} has more text than the ${TEXT_LIMIT_CHARACTERS.toLocaleString('en-US')} characters included here.]`;
    }
    case 'failed':
      return `[The text of the file ${name} could not be read: ${state.text_error ?? 'unknown error'}]`;
    default:
      return `[The file ${name} (${row.mime_type}) is not a text document; its content is not included.]`;
  }
}
