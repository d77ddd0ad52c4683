import { StringDecoder } from 'node:string_decoder';
import type { z } from 'zod';
import { AppError } from './errors.js';

/** What is wrong with one line of an import; `field` is relative to the line's object, empty for the whole line. */
export interface JsonlLineProblem {
  readonly line: number;
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

/** Enough to fix a file in a few rounds without a response the size of the file. */
const MAX_REPORTED_PROBLEMS = 100;
const PROBLEMS_IN_MESSAGE = 5;

/** Any bad line fails the whole import, so a fixed file can be sent again without duplicates or gaps. */
export class JsonlImportError extends AppError {
  constructor(
    code: string,
    readonly problems: readonly JsonlLineProblem[],
    readonly invalidLineCount: number,
  ) {
    const shown = problems
      .slice(0, PROBLEMS_IN_MESSAGE)
      .map((problem) => `line ${problem.line}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`);
    const more = invalidLineCount > shown.length ? `; … (${invalidLineCount} invalid lines in all)` : '';
    super(
      'invalid',
      code,
      `Nothing was imported: ${invalidLineCount} ${invalidLineCount === 1 ? 'line is' : 'lines are'} invalid. ${shown.join('; ')}${more}`,
      { details: { invalidLineCount, lines: problems } },
    );
  }
}

/** `noun` names what the file holds, e.g. `skills`. */
export function importFileTooLarge(noun: string, maxBytes: number): AppError {
  return new AppError('too_large', 'file_too_large', `The ${noun} file is larger than the import limit of ${maxBytes} bytes; split it into several imports.`, {
    details: { maxBytes },
  });
}

/**
 * Splits streamed bytes into lines (LF or CRLF, UTF-8, a leading byte order
 * mark dropped) and refuses content past `maxBytes` as soon as it gets there.
 */
export async function* readJsonLines(content: AsyncIterable<Buffer | string>, maxBytes: number, noun: string): AsyncGenerator<string> {
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
    if (bytes > maxBytes) throw importFileTooLarge(noun, maxBytes);
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

export interface JsonlItemRules<T> {
  readonly schema: z.ZodType<T>;
  /** Plural of what a line holds, for messages: `skills`, `documents`. */
  readonly noun: string;
  readonly maxItems: number;
  /** The field that must not repeat within one file, and its value. */
  readonly uniqueField: string;
  readonly uniqueValue: (item: T) => string;
  /** Builds the error thrown when any line is invalid. */
  readonly error: (problems: readonly JsonlLineProblem[], invalidLineCount: number) => JsonlImportError;
}

function checkLine<T>(line: number, value: unknown, schema: z.ZodType<T>): { item: T } | { problems: JsonlLineProblem[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: [{ line, field: '', rule: 'invalid_type', message: 'must be a JSON object' }] };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { item: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    // Zod reports a missing field as an invalid type whose received value is undefined.
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    return { line, field: issue.path.join('.'), rule: missing ? 'required' : issue.code, message: missing ? 'is required' : issue.message };
  });
  return { problems };
}

/**
 * Validates every line of a JSONL import (blank lines are ignored; line
 * numbers count every line, from 1) and returns the items with their line
 * numbers only when all are valid and no unique value repeats; otherwise
 * throws the rules' error naming the lines.
 */
export async function parseJsonLines<T>(lines: AsyncIterable<string>, rules: JsonlItemRules<T>): Promise<Array<{ line: number; item: T }>> {
  const { accepted, problems, invalidLineCount } = await checkJsonLines(lines, rules);
  if (invalidLineCount > 0) throw rules.error(problems, invalidLineCount);
  return accepted;
}

export interface CheckedJsonLines<T> {
  readonly accepted: Array<{ line: number; item: T }>;
  /** At most 100 problems are kept; `invalidLineCount` counts every invalid line. */
  readonly problems: JsonlLineProblem[];
  readonly invalidLineCount: number;
}

/**
 * Like `parseJsonLines`, but returns the valid items beside the problems of the
 * invalid lines, for imports that skip bad lines. A file with more items than
 * allowed still throws the rules' error.
 */
export async function checkJsonLines<T>(lines: AsyncIterable<string>, rules: JsonlItemRules<T>): Promise<CheckedJsonLines<T>> {
  const accepted: Array<{ line: number; item: T }> = [];
  const problems: JsonlLineProblem[] = [];
  const lineOfValue = new Map<string, number>();
  let invalidLineCount = 0;
  let lineNumber = 0;
  let itemCount = 0;
  const refuse = (found: JsonlLineProblem[]) => {
    invalidLineCount += 1;
    problems.push(...found.slice(0, MAX_REPORTED_PROBLEMS - problems.length));
  };
  for await (const text of lines) {
    lineNumber += 1;
    if (text.trim() === '') continue;
    itemCount += 1;
    if (itemCount > rules.maxItems) {
      throw rules.error(
        [{ line: lineNumber, field: '', rule: 'too_many', message: `an import holds at most ${rules.maxItems} ${rules.noun}; split the file` }],
        invalidLineCount + 1,
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      refuse([{ line: lineNumber, field: '', rule: 'json', message: 'is not valid JSON' }]);
      continue;
    }
    const checked = checkLine(lineNumber, value, rules.schema);
    if ('problems' in checked) {
      refuse(checked.problems);
      continue;
    }
    const unique = rules.uniqueValue(checked.item);
    const earlier = lineOfValue.get(unique);
    if (earlier !== undefined) {
      refuse([{ line: lineNumber, field: rules.uniqueField, rule: 'duplicate', message: `'${unique}' is already used on line ${earlier}` }]);
      continue;
    }
    lineOfValue.set(unique, lineNumber);
    accepted.push({ line: lineNumber, item: checked.item });
  }
  return { accepted, problems, invalidLineCount };
}
