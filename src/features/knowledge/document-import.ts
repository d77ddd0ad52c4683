import { JsonlImportError, type JsonlLineProblem, parseJsonLines, readJsonLines as readLines } from '../../platform/jsonl-import.js';
import { type DocumentInput, documentBody } from './document.schemas.js';

export type DocumentLineProblem = JsonlLineProblem;

/** Any bad line fails the whole import, so a fixed file can be sent again without duplicates or gaps. */
export class DocumentImportError extends JsonlImportError {
  constructor(problems: readonly DocumentLineProblem[], invalidLineCount: number) {
    super('documents_import_invalid', problems, invalidLineCount);
  }
}

/** The lines of a documents file, refused past `maxBytes` (413). */
export function readJsonLines(content: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<string> {
  return readLines(content, maxBytes, 'documents');
}

/** Every line validated, names unique within the file; otherwise `DocumentImportError` naming the lines. */
export async function parseDocumentLines(lines: AsyncIterable<string>, maxDocuments: number): Promise<DocumentInput[]> {
  const parsed = await parseJsonLines(lines, {
    schema: documentBody,
    noun: 'documents',
    maxItems: maxDocuments,
    uniqueField: 'name',
    uniqueValue: (document) => document.name,
    error: (problems, count) => new DocumentImportError(problems, count),
  });
  return parsed.map(({ item }) => item);
}
