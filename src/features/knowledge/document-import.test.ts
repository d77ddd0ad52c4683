import { describe, expect, it } from 'vitest';
import { DocumentImportError, parseDocumentLines, readJsonLines } from './document-import.js';

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

describe('readJsonLines', () => {
  it('splits on LF and CRLF, drops a leading byte order mark and keeps a last line without a newline', async () => {
    expect(await collect(readJsonLines(chunksOf(Buffer.from('\uFEFFa\r\nb\n\nc', 'utf8')), 100))).toEqual(['a', 'b', '', 'c']);
  });

  it('joins lines and multi-byte characters split across chunks', async () => {
    const content = Buffer.from('{"a":"東京"}\n{"b":1}\n', 'utf8');
    expect(await collect(readJsonLines(chunksOf(...Array.from(content, (byte) => Buffer.from([byte]))), 100))).toEqual(['{"a":"東京"}', '{"b":1}']);
  });

  it('refuses content past the limit as 413-worthy too_large', async () => {
    await expect(collect(readJsonLines(chunksOf(Buffer.alloc(11, 'a')), 10))).rejects.toMatchObject({ kind: 'too_large', code: 'file_too_large' });
  });
});

describe('parseDocumentLines', () => {
  it('returns the documents of a valid file, blank lines skipped', async () => {
    const parsed = await parseDocumentLines(linesOf('{"name":"a","contents":"x"}', ' ', '{"name":"b","contents":"y","tags":["t"]}'), 10);
    expect(parsed.documents.map((document) => document.name)).toEqual(['a', 'b']);
    expect(parsed.invalidLineCount).toBe(0);
  });

  it('skips invalid lines and reports each with its number, keeping the valid ones', async () => {
    const parsed = await parseDocumentLines(linesOf('{"name":"a","contents":"x"}', '{"name":"b"}', 'not json', '{"name":"a","contents":"again"}', '{"name":"c","contents":"z"}'), 10);
    expect(parsed.documents.map((document) => document.name)).toEqual(['a', 'c']);
    expect(parsed.invalidLineCount).toBe(3);
    expect(parsed.problems.map((problem) => [problem.line, problem.rule])).toEqual([
      [2, 'required'],
      [3, 'json'],
      [4, 'duplicate'],
    ]);
  });

  it('stops at the document limit and reports the line that crossed it', async () => {
    const lines = linesOf('{"name":"a","contents":"x"}', '{"name":"b","contents":"x"}', '{"name":"c","contents":"x"}');
    const error = (await parseDocumentLines(lines, 2).catch((caught: unknown) => caught)) as DocumentImportError;
    expect(error).toBeInstanceOf(DocumentImportError);
    expect(error.problems).toEqual([expect.objectContaining({ line: 3, rule: 'too_many' })]);
  });

  it('refuses a file without one valid line, listing at most 100 problems but counting every invalid line', async () => {
    const error = (await parseDocumentLines(linesOf(...Array.from({ length: 150 }, () => '{')), 1000).catch((caught: unknown) => caught)) as DocumentImportError;
    expect(error.problems).toHaveLength(100);
    expect(error.invalidLineCount).toBe(150);
    expect(error.message).toContain('150 lines are invalid');
  });
});
