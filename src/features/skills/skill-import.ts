import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../../platform/errors.js';
import { type SkillInput, skillBody } from './skill.schemas.js';

/** What is wrong with one line of an import; `field` is relative to the line's object, empty for the whole line. */
export interface ImportLineProblem {
  readonly line: number;
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

export interface ImportedLine {
  readonly line: number;
  readonly skill: SkillInput;
}

export interface ImportLimits {
  readonly maxSkills: number;
}

/** Enough to fix a file in a few rounds without a response the size of the file. */
const MAX_REPORTED_PROBLEMS = 100;
const PROBLEMS_IN_MESSAGE = 5;

/** Any bad line fails the whole import, so a fixed file can be sent again without duplicates or gaps. */
export class SkillImportError extends AppError {
  constructor(
    readonly problems: readonly ImportLineProblem[],
    readonly invalidLineCount: number,
  ) {
    const shown = problems
      .slice(0, PROBLEMS_IN_MESSAGE)
      .map((problem) => `line ${problem.line}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`);
    const more = invalidLineCount > shown.length ? `; … (${invalidLineCount} invalid lines in all)` : '';
    super(
      'invalid',
      'skills_import_invalid',
      `Nothing was imported: ${invalidLineCount} ${invalidLineCount === 1 ? 'line is' : 'lines are'} invalid. ${shown.join('; ')}${more}`,
      { details: { invalidLineCount, lines: problems } },
    );
  }
}

export function importTooLarge(maxBytes: number): AppError {
  return new AppError('too_large', 'file_too_large', `The skills file is larger than the import limit of ${maxBytes} bytes; split it into several imports.`, {
    details: { maxBytes },
  });
}

/**
 * Splits streamed bytes into lines (LF or CRLF, UTF-8, a leading byte order
 * mark dropped) and refuses content past `maxBytes` as soon as it gets there.
 */
export async function* readLines(content: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let bytes = 0;
  let first = true;
  const emit = (line: string): string => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (!first) return text;
    first = false;
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  };
  for await (const chunk of content) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    bytes += buffer.length;
    if (bytes > maxBytes) throw importTooLarge(maxBytes);
    // Only the new text is searched: rescanning a long unfinished line on every chunk would be quadratic.
    const text = decoder.write(buffer);
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      yield emit(pending + text.slice(start, newline));
      pending = '';
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    pending += text.slice(start);
  }
  pending += decoder.end();
  if (pending !== '') yield emit(pending);
}

function checkLine(line: number, value: unknown): { skill: SkillInput } | { problems: ImportLineProblem[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: [{ line, field: '', rule: 'invalid_type', message: 'must be a JSON object' }] };
  }
  const parsed = skillBody.safeParse(value);
  if (parsed.success) return { skill: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    // Zod reports a missing field as an invalid type whose received value is undefined.
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    return {
      line,
      field: issue.path.join('.'),
      rule: missing ? 'required' : issue.code,
      message: missing ? 'is required' : issue.message,
    };
  });
  return { problems };
}

/**
 * Validates every line of a JSONL import (blank lines are ignored; line
 * numbers count every line, from 1) and returns the skills only when all are
 * valid and no slug repeats; otherwise throws `SkillImportError` naming the lines.
 */
export async function parseSkillLines(lines: AsyncIterable<string>, limits: ImportLimits): Promise<ImportedLine[]> {
  const accepted: ImportedLine[] = [];
  const problems: ImportLineProblem[] = [];
  const lineOfSlug = new Map<string, number>();
  let invalidLineCount = 0;
  let lineNumber = 0;
  let skillCount = 0;
  const refuse = (found: ImportLineProblem[]) => {
    invalidLineCount += 1;
    problems.push(...found.slice(0, MAX_REPORTED_PROBLEMS - problems.length));
  };
  for await (const text of lines) {
    lineNumber += 1;
    if (text.trim() === '') continue;
    skillCount += 1;
    if (skillCount > limits.maxSkills) {
      refuse([{ line: lineNumber, field: '', rule: 'too_many', message: `an import holds at most ${limits.maxSkills} skills; split the file` }]);
      break;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      refuse([{ line: lineNumber, field: '', rule: 'json', message: 'is not valid JSON' }]);
      continue;
    }
    const checked = checkLine(lineNumber, value);
    if ('problems' in checked) {
      refuse(checked.problems);
      continue;
    }
    const { skill } = checked;
    const earlier = lineOfSlug.get(skill.slug);
    if (earlier !== undefined) {
      refuse([{ line: lineNumber, field: 'slug', rule: 'duplicate', message: `'${skill.slug}' is already used on line ${earlier}` }]);
      continue;
    }
    lineOfSlug.set(skill.slug, lineNumber);
    accepted.push({ line: lineNumber, skill });
  }
  if (invalidLineCount > 0) throw new SkillImportError(problems, invalidLineCount);
  return accepted;
}
