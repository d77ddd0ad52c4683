import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../../platform/errors.js';
import { type DocumentInput, documentBody } from './document.schemas.js';

/** What is wrong with one line of an import; `field` is relative to the line's object, empty for the whole line. */
export interface DocumentLineProblem {
  readonly line: number;
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

/** Enough to fix a file in a few rounds without a response the size of the file. */
const MAX_REPORTED_PROBLEMS = 100;
const PROBLEMS_IN_MESSAGE = 5;

/** Any bad line fails the whole import, so a fixed file can be sent again without duplicates or gaps. */
export class DocumentImportError extends AppError {
  constructor(
    readonly problems: readonly DocumentLineProblem[],
    readonly invalidLineCount: number,
  ) {
    const shown = problems
      .slice(0, PROBLEMS_IN_MESSAGE)
      .map((problem) => `line ${problem.line}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`);
    const more = invalidLineCount > shown.length ? `; … (${invalidLineCount} invalid lines in all)` : '';
    super(
      'invalid',
      'documents_import_invalid',
      `Nothing was imported: ${invalidLineCount} ${invalidLineCount === 1 ? 'line is' : 'lines are'} invalid. ${shown.join('; ')}${more}`,
      { details: { invalidLineCount, lines: problems } },
    );
  }
}

export function documentsFileTooLarge(maxBytes: number): AppError {
  return new AppError('too_large', 'file_too_large', `The documents file is larger than the import limit of ${maxBytes} bytes; split it into several imports.`, {
    details: { maxBytes },
  });
}

/** Splits streamed UTF-8 bytes into lines (LF or CRLF, a leading byte order mark dropped), refusing content past `maxBytes`. */
export async function* readJsonLines(content: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let bytes = 0;
  let first = true;
  const finish = (line: string): string => {
    let text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (first && text.startsWith('\uFEFF')) text = text.slice(1);
    first = false;
    return text;
  };
  for await (const chunk of content) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    bytes += buffer.length;
    if (bytes > maxBytes) throw documentsFileTooLarge(maxBytes);
    // Only the new text is searched: rescanning a long unfinished line on every chunk would be quadratic.
    const text = decoder.write(buffer);
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      yield finish(pending + text.slice(start, newline));
      pending = '';
      start = newline + 1;
    }
    pending += text.slice(start);
  }
  pending += decoder.end();
  if (pending !== '') yield finish(pending);
}

function problemsOf(line: number, value: unknown): DocumentLineProblem[] | DocumentInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ line, field: '', rule: 'invalid_type', message: 'must be a JSON object' }];
  }
  const parsed = documentBody.safeParse(value);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((issue) => {
    // Zod reports a missing field as an invalid type whose received value is undefined.
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    return { line, field: issue.path.join('.'), rule: missing ? 'required' : issue.code, message: missing ? 'is required' : issue.message };
  });
}

/**
 * Validates every line (blank lines are ignored; line numbers count every
 * line from 1) and returns the documents only when all are valid and no name
 * repeats; otherwise throws `DocumentImportError` naming the lines.
 */
export async function parseDocumentLines(lines: AsyncIterable<string>, maxDocuments: number): Promise<DocumentInput[]> {
  const accepted: DocumentInput[] = [];
  const problems: DocumentLineProblem[] = [];
  const lineOfName = new Map<string, number>();
  let invalidLineCount = 0;
  let lineNumber = 0;
  const refuse = (found: DocumentLineProblem[]) => {
    invalidLineCount += 1;
    problems.push(...found.slice(0, MAX_REPORTED_PROBLEMS - problems.length));
  };
  for await (const text of lines) {
    lineNumber += 1;
    if (text.trim() === '') continue;
    if (accepted.length + invalidLineCount >= maxDocuments) {
      refuse([{ line: lineNumber, field: '', rule: 'too_many', message: `an import holds at most ${maxDocuments} documents; split the file` }]);
      break;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      refuse([{ line: lineNumber, field: '', rule: 'json', message: 'is not valid JSON' }]);
      continue;
    }
    const checked = problemsOf(lineNumber, value);
    if (Array.isArray(checked)) {
      refuse(checked);
      continue;
    }
    const earlier = lineOfName.get(checked.name);
    if (earlier !== undefined) {
      refuse([{ line: lineNumber, field: 'name', rule: 'duplicate', message: `'${checked.name}' is already used on line ${earlier}` }]);
      continue;
    }
    lineOfName.set(checked.name, lineNumber);
    accepted.push(checked);
  }
  if (invalidLineCount > 0) throw new DocumentImportError(problems, invalidLineCount);
  return accepted;
}
