import { JsonlImportError, type JsonlLineProblem, parseJsonLines, readJsonLines } from '../../platform/jsonl-import.js';
import { type SkillInput, skillBody } from './skill.schemas.js';

export type ImportLineProblem = JsonlLineProblem;

export interface ImportedLine {
  readonly line: number;
  readonly skill: SkillInput;
}

export interface ImportLimits {
  readonly maxSkills: number;
}

/** Any bad line fails the whole import, so a fixed file can be sent again without duplicates or gaps. */
export class SkillImportError extends JsonlImportError {
  constructor(problems: readonly ImportLineProblem[], invalidLineCount: number) {
    super('skills_import_invalid', problems, invalidLineCount);
  }
}

/** The lines of a skills file, refused past `maxBytes` (413). */
export function readLines(content: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<string> {
  return readJsonLines(content, maxBytes, 'skills');
}

/** Every line validated, slugs unique within the file; otherwise `SkillImportError` naming the lines. */
export async function parseSkillLines(lines: AsyncIterable<string>, limits: ImportLimits): Promise<ImportedLine[]> {
  const parsed = await parseJsonLines(lines, {
    schema: skillBody,
    noun: 'skills',
    maxItems: limits.maxSkills,
    uniqueField: 'slug',
    uniqueValue: (skill) => skill.slug,
    error: (problems, count) => new SkillImportError(problems, count),
  });
  return parsed.map(({ line, item }) => ({ line, skill: item }));
}
