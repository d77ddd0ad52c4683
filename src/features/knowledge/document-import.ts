import { JsonlImportError, type JsonlLineProblem, checkJsonLines, readJsonLines as readLines } from '../../platform/jsonl-import.js';
import { type DocumentInput, documentBody } from './document.schemas.js';

export type DocumentLineProblem = JsonlLineProblem;

/** A file with no valid line at all, or more documents than one import may hold. */
export class DocumentImportError extends JsonlImportError {
  constructor(problems: readonly DocumentLineProblem[], invalidLineCount: number) {
    super('documents_import_invalid', problems, invalidLineCount);
  }
}

/** The lines of a documents file, refused past `maxBytes` (413). */
export function readJsonLines(content: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<string> {
  return readLines(content, maxBytes, 'documents');
}

export interface DocumentLines {
  readonly documents: DocumentInput[];
  /** The invalid lines (at most 100 listed), skipped. */
  readonly problems: readonly DocumentLineProblem[];
  readonly invalidLineCount: number;
}

/**
 * Every line validated, names unique within the file. Invalid lines are skipped
 * and reported; a file without a single valid line is a `DocumentImportError`.
 */
export async function parseDocumentLines(lines: AsyncIterable<string>, maxDocuments: number): Promise<DocumentLines> {
  const checked = await checkJsonLines(lines, {
    schema: documentBody,
    noun: 'documents',
    maxItems: maxDocuments,
    uniqueField: 'name',
    uniqueValue: (document) => document.name,
    error: (problems, count) => new DocumentImportError(problems, count),
  });
  if (checked.accepted.length === 0 && checked.invalidLineCount > 0) throw new DocumentImportError(checked.problems, checked.invalidLineCount);
  return { documents: checked.accepted.map(({ item }) => item), problems: checked.problems, invalidLineCount: checked.invalidLineCount };
}
