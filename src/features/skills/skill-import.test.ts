import { describe, expect, it } from 'vitest';
import { SkillImportError, parseSkillLines, readLines } from './skill-import.js';

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const result: string[] = [];
  for await (const line of lines) result.push(line);
  return result;
}

async function* chunksOf(...chunks: Buffer[]): AsyncGenerator<Buffer> {
  yield* chunks;
}

async function* linesOf(...lines: string[]): AsyncGenerator<string> {
  yield* lines;
}

describe('readLines', () => {
  it('splits on LF and CRLF, drops a leading byte order mark, and keeps a last line without a newline', async () => {
    const content = Buffer.from('\uFEFFfirst\r\nsecond\n\nthird', 'utf8');
    expect(await collect(readLines(chunksOf(content), 1000))).toEqual(['first', 'second', '', 'third']);
  });

  it('joins lines and multi-byte characters split across chunks', async () => {
    const content = Buffer.from('{"a":"東京"}\n{"b":1}\n', 'utf8');
    const chunks = Array.from(content, (byte) => Buffer.from([byte]));
    expect(await collect(readLines(chunksOf(...chunks), 1000))).toEqual(['{"a":"東京"}', '{"b":1}']);
  });

  it('refuses content past the limit', async () => {
    await expect(collect(readLines(chunksOf(Buffer.alloc(11, 'a')), 10))).rejects.toMatchObject({ kind: 'too_large', code: 'file_too_large' });
  });
});

describe('parseSkillLines', () => {
  it('returns the skills of a valid file with their line numbers, blank lines skipped', async () => {
    const parsed = await parseSkillLines(linesOf('{"slug":"a","instructions":"x"}', '  ', '{"slug":"b","instructions":"y"}'), { maxSkills: 10 });
    expect(parsed.map((entry) => [entry.line, entry.skill.slug])).toEqual([
      [1, 'a'],
      [3, 'b'],
    ]);
  });

  it('stops at the skill limit and reports the line that crossed it', async () => {
    const lines = linesOf('{"slug":"a","instructions":"x"}', '{"slug":"b","instructions":"x"}', '{"slug":"c","instructions":"x"}');
    const error = await parseSkillLines(lines, { maxSkills: 2 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SkillImportError);
    expect((error as SkillImportError).problems).toEqual([expect.objectContaining({ line: 3, rule: 'too_many' })]);
  });

  it('lists at most 100 problems but counts every invalid line', async () => {
    const error = (await parseSkillLines(linesOf(...Array.from({ length: 150 }, () => 'not json')), { maxSkills: 1000 }).catch(
      (caught: unknown) => caught,
    )) as SkillImportError;
    expect(error.problems).toHaveLength(100);
    expect(error.invalidLineCount).toBe(150);
    expect(error.message).toContain('150 lines are invalid');
  });
});
