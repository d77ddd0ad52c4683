import { describe, expect, it } from 'vitest';
import { chunkDocument, DEFAULT_CHUNK_OPTIONS, estimateTokens, type Chunk, type ChunkOptions } from './index.js';

/** mulberry32: a seeded generator, so every generated document is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['lo', 'rem', 'ip', 'sum', 'do', 'lor', 'sit', 'am', 'et', 'con', 'sec', 'tur', 'ad'];

/**
 * Markdown with every word unique (`loremip17`, `Sitam18.`…): headings, one-line and
 * hard-wrapped paragraphs, lists and code fences with blank lines inside. Unique words let
 * a test find each word of the input again in the chunks, in order.
 */
function generateDocument(seed: number, blocks: number): string {
  const random = seeded(seed);
  const pick = (count: number): number => Math.floor(random() * count);
  let counter = 0;
  const word = (): string => {
    let letters = '';
    for (let index = 0, length = 1 + pick(3); index < length; index += 1) letters += SYLLABLES[pick(SYLLABLES.length)];
    counter += 1;
    return `${letters}${counter}`;
  };
  const words = (count: number): string => Array.from({ length: count }, word).join(' ');
  const sentence = (): string => {
    const text = words(3 + pick(12));
    return `${text[0]?.toUpperCase()}${text.slice(1)}${['.', '.', '!', '?'][pick(4)]}`;
  };
  const sentences = (count: number): string => Array.from({ length: count }, sentence).join(' ');
  const wrap = (text: string): string => text.replace(/(.{50,70}?) /g, '$1\n');
  const parts: string[] = [];
  for (let index = 0; index < blocks; index += 1) {
    const kind = pick(10);
    if (kind < 2) parts.push(`${'#'.repeat(1 + pick(3))} ${words(1 + pick(3))}`);
    else if (kind < 5) parts.push(sentences(1 + pick(5)));
    else if (kind < 7) parts.push(wrap(sentences(8 + pick(25))));
    else if (kind < 8) parts.push(Array.from({ length: 2 + pick(6) }, () => `- ${sentence()}`).join('\n'));
    else if (kind < 9) {
      const line = (): string => `  const ${word()} = ${word()}(${word()});`;
      parts.push(['```ts', line(), line(), '', line(), '```'].join('\n'));
    } else parts.push(words(5 + pick(60)));
  }
  return parts.join('\n\n');
}

function uniqueWords(text: string): string[] {
  return text.match(/[a-z]+\d+/gi) ?? [];
}

/** Positions 0, 1, 2…, exact token counts within maxTokens, trimmed non-empty contents. */
function expectWithinLimits(chunks: readonly Chunk[], options: ChunkOptions): void {
  const problems = chunks.flatMap((chunk, index) => {
    const found: string[] = [];
    if (chunk.position !== index) found.push(`position ${chunk.position}`);
    if (chunk.tokenCount !== estimateTokens(chunk.content)) found.push(`tokenCount ${chunk.tokenCount} is not the estimate`);
    if (chunk.tokenCount > options.maxTokens) found.push(`${chunk.tokenCount} tokens`);
    if (chunk.content === '' || chunk.content !== chunk.content.trim()) found.push('untrimmed or empty');
    return found.map((problem) => `chunk ${index}: ${problem}`);
  });
  expect(problems).toEqual([]);
}

/**
 * The overlap: the longest end of `previous`, from a word start, that `content` starts
 * with and that holds a unique word (markup alone, like a fence's closing ``` before
 * another fence's opening one, can match by chance).
 */
function overlapLength(previous: string, content: string, options: ChunkOptions): number {
  for (let start = Math.max(0, previous.length - options.overlapTokens * 10); start < previous.length; start += 1) {
    if (start > 0 && !/\s/.test(previous[start - 1] ?? '')) continue;
    const overlap = previous.slice(start);
    if (content.startsWith(overlap) && uniqueWords(overlap).length > 0) return overlap.length;
  }
  return 0;
}

describe('chunkDocument', () => {
  it('returns no chunks for empty or blank text', () => {
    expect(chunkDocument('', DEFAULT_CHUNK_OPTIONS)).toEqual([]);
    expect(chunkDocument(' \n\t\r\n  \n', DEFAULT_CHUNK_OPTIONS)).toEqual([]);
  });

  it('keeps a short document in one trimmed chunk under its first heading', () => {
    const text = '\n\n# Guide\n\nInstall it first.\n\n## Usage\n\n  Run `agentry serve`.  \n\n';
    expect(chunkDocument(text, DEFAULT_CHUNK_OPTIONS)).toEqual([
      {
        position: 0,
        content: '# Guide\n\nInstall it first.\n\n## Usage\n\n  Run `agentry serve`.',
        tokenCount: estimateTokens(text),
        headings: ['Guide'],
      },
    ]);
  });

  it('gives each chunk the stack of headings at its start, without repeating them in the content', () => {
    const options = { maxTokens: 64, overlapTokens: 8 };
    const paragraph = (topic: string): string => `This paragraph explains ${topic} in some detail. `.repeat(4).trim();
    const text = [
      '# Manual',
      paragraph('the manual'),
      '## Setup',
      paragraph('the setup'),
      '### Database',
      paragraph('the database'),
      '## Usage',
      `${paragraph('usage')} ${paragraph('more usage')}`,
      'Appendix\n========',
      paragraph('the appendix'),
    ].join('\n\n');
    const chunks = chunkDocument(text, options);
    expectWithinLimits(chunks, options);
    expect(chunks.map((chunk) => chunk.headings)).toEqual([
      ['Manual'],
      ['Manual', 'Setup'],
      ['Manual', 'Setup', 'Database'],
      ['Manual', 'Usage'],
      ['Manual', 'Usage'],
      ['Appendix'],
    ]);
    expect(chunks.map((chunk) => chunk.content.split('\n')[0])).toEqual([
      '# Manual',
      '## Setup',
      '### Database',
      '## Usage',
      expect.stringMatching(/^[A-Za-z].*usage/),
      'Appendix',
    ]);
    expect(chunks[4]?.content).not.toContain('Usage');
  });

  it('packs whole paragraphs greedily and never exceeds maxTokens', () => {
    const options = { maxTokens: 128, overlapTokens: 0 };
    const random = seeded(7);
    const paragraphs = Array.from({ length: 80 }, (_, index) => `Paragraph ${index} says ${'quite '.repeat(5 + Math.floor(random() * 30))}much.`);
    const chunks = chunkDocument(paragraphs.join('\n\n'), options);
    expectWithinLimits(chunks, options);
    expect(chunks.length).toBeLessThan(paragraphs.length / 2);
    let next = 0;
    for (const chunk of chunks) {
      const packed = chunk.content.split('\n\n');
      expect(packed).toEqual(paragraphs.slice(next, next + packed.length));
      next += packed.length;
      const following = paragraphs[next];
      if (following !== undefined) expect(chunk.tokenCount + estimateTokens(following)).toBeGreaterThan(options.maxTokens);
    }
    expect(next).toBe(paragraphs.length);
  });

  it('never exceeds maxTokens on a long generated document', () => {
    const text = generateDocument(11, 250);
    for (const options of [DEFAULT_CHUNK_OPTIONS, { maxTokens: 32, overlapTokens: 15 }, { maxTokens: 100, overlapTokens: 0 }]) {
      const chunks = chunkDocument(text, options);
      expect(chunks.length).toBeGreaterThan(10);
      expectWithinLimits(chunks, options);
    }
  });

  it('starts each chunk with about overlapTokens of the previous chunk, from a word start', () => {
    const options = { maxTokens: 64, overlapTokens: 16 };
    const text = generateDocument(3, 12)
      .replace(/^#+ .*$/gm, '')
      .replace(/```ts[^`]*```/g, '');
    const chunks = chunkDocument(text, options);
    expect(chunks.length).toBeGreaterThan(5);
    for (const [index, chunk] of chunks.entries()) {
      const previous = chunks[index - 1]?.content;
      if (previous === undefined) continue;
      const firstWord = chunk.content.split(/\s/)[0] ?? '';
      const overlapStart = previous.lastIndexOf(firstWord);
      expect(overlapStart).toBeGreaterThan(0);
      expect(previous[overlapStart - 1]).toMatch(/\s/);
      const overlap = previous.slice(overlapStart);
      expect(chunk.content.startsWith(overlap)).toBe(true);
      expect(estimateTokens(overlap)).toBeGreaterThanOrEqual(options.overlapTokens / 2);
      expect(estimateTokens(overlap)).toBeLessThanOrEqual(options.overlapTokens);
    }
    const withoutOverlap = chunkDocument(text, { ...options, overlapTokens: 0 });
    for (const [index, chunk] of withoutOverlap.entries()) {
      const previous = withoutOverlap[index - 1]?.content ?? '';
      expect(previous.includes(uniqueWords(chunk.content)[0] ?? '-')).toBe(false);
    }
  });

  it('never carries an overlap back across a heading', () => {
    const options = { maxTokens: 64, overlapTokens: 24 };
    const text = [
      'The opening paragraph talks about several unrelated things at length here.',
      '## Heading',
      'Short text.',
      'A long paragraph follows the short one and it keeps on going with many more words until it is big, and then it goes on some more to be sure.',
    ].join('\n\n');
    const chunks = chunkDocument(text, options);
    expectWithinLimits(chunks, options);
    expect(chunks).toHaveLength(2);
    expect(chunks[0]?.content).toContain('## Heading\n\nShort text.');
    expect(chunks[1]?.headings).toEqual(['Heading']);
    expect(chunks[1]?.content).toMatch(/^## Heading\n\nShort text\.\n\nA long paragraph/);
  });

  it('cuts a word longer than a chunk by characters, within maxTokens', () => {
    const random = seeded(5);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const token = Array.from({ length: 5000 }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    const chunks = chunkDocument(token, DEFAULT_CHUNK_OPTIONS);
    expect(chunks.length).toBeGreaterThan(1);
    expectWithinLimits(chunks, DEFAULT_CHUNK_OPTIONS);
    expect(chunks.map((chunk) => chunk.content).join('')).toBe(token);
    const url = `https://example.com/${'segment-name/'.repeat(400)}end`;
    const urlChunks = chunkDocument(`See ${url} for details.`, DEFAULT_CHUNK_OPTIONS);
    expectWithinLimits(urlChunks, DEFAULT_CHUNK_OPTIONS);
    expect(urlChunks.map((chunk) => chunk.content.replace(/ /g, '')).join('')).toBe(`See${url}fordetails.`);
    for (const chunk of urlChunks.slice(0, -1)) expect(chunk.content).toMatch(/[/-]$/);
  });

  it('cuts unspaced CJK text between characters, within maxTokens', () => {
    const text = '東京は日本の首都であり人口が多い都市です'.repeat(60);
    const options = { maxTokens: 64, overlapTokens: 8 };
    const chunks = chunkDocument(text, options);
    expectWithinLimits(chunks, options);
    expect(chunks.length).toBeGreaterThan(text.length / 64);
    expect(chunks.map((chunk, index) => chunk.content.slice(index === 0 ? 0 : 8)).join('')).toBe(text);
  });

  it('keeps a code fence whole, blank lines included, and repeats none of it in an overlap', () => {
    const options = { maxTokens: 128, overlapTokens: 16 };
    const prose = (topic: string): string => `Some prose about ${topic} comes here. `.repeat(9).trim();
    const fence = ['```python', 'def first():', '    return 1', '', '', 'def second():', '    return 2', '', 'def third():', '    return first() + second()', '', 'print(third())', '```'].join('\n');
    const text = [prose('setup'), fence, prose('results'), prose('more results')].join('\n\n');
    const chunks = chunkDocument(text, options);
    expectWithinLimits(chunks, options);
    const code = fence.split('\n').filter((line) => /\w/.test(line) && !line.startsWith('```'));
    const holding = chunks.filter((chunk) => code.some((line) => chunk.content.includes(line)));
    expect(holding).toHaveLength(1);
    expect(holding[0]?.content).toContain(fence);
  });

  it('cuts a code fence larger than a chunk at its lines only', () => {
    const options = { maxTokens: 64, overlapTokens: 8 };
    const lines = Array.from({ length: 60 }, (_, index) => (index % 7 === 6 ? '' : `    total += compute(value${index}, factor);`));
    const text = ['```js', ...lines, '```'].join('\n');
    const chunks = chunkDocument(text, options);
    expectWithinLimits(chunks, options);
    const cutLines = chunks.flatMap((chunk) => chunk.content.split('\n').map((line) => line.trim()));
    for (const line of lines.filter(Boolean)) expect(cutLines).toContain(line.trim());
  });

  it('reads CRLF text as LF text', () => {
    const text = generateDocument(8, 40);
    const windows = text.replace(/\n/g, '\r\n');
    const chunks = chunkDocument(windows, DEFAULT_CHUNK_OPTIONS);
    expect(chunks.some((chunk) => chunk.content.includes('\r'))).toBe(false);
    expect(chunks).toEqual(chunkDocument(text, DEFAULT_CHUNK_OPTIONS));
    expect(chunkDocument('# Title\r\n\r\nOne.\r\nTwo.', DEFAULT_CHUNK_OPTIONS)[0]?.content).toBe('# Title\n\nOne.\nTwo.');
  });

  it('gives the same chunks for the same input and options', () => {
    const text = generateDocument(21, 120);
    const options = { maxTokens: 96, overlapTokens: 24 };
    const first = chunkDocument(text, options);
    for (const other of [generateDocument(22, 50), generateDocument(23, 50)]) {
      chunkDocument(other, DEFAULT_CHUNK_OPTIONS);
      expect(chunkDocument(text, options)).toEqual(first);
      expect(chunkDocument(text, options)).toEqual(first);
    }
  });

  it('refuses options out of range, naming the option', () => {
    expect(() => chunkDocument('text', { maxTokens: 31, overlapTokens: 0 })).toThrow(RangeError);
    expect(() => chunkDocument('text', { maxTokens: 31, overlapTokens: 0 })).toThrow(/maxTokens/);
    expect(() => chunkDocument('text', { maxTokens: Number.NaN, overlapTokens: 0 })).toThrow(/maxTokens/);
    expect(() => chunkDocument('text', { maxTokens: 64.5, overlapTokens: 0 })).toThrow(/maxTokens/);
    expect(() => chunkDocument('text', { maxTokens: 64, overlapTokens: -1 })).toThrow(/overlapTokens/);
    expect(() => chunkDocument('text', { maxTokens: 64, overlapTokens: 32 })).toThrow(/overlapTokens/);
    expect(() => chunkDocument('', { maxTokens: 64, overlapTokens: 1.5 })).toThrow(RangeError);
    expect(chunkDocument('text', { maxTokens: 32, overlapTokens: 15 })).toHaveLength(1);
  });

  it('reproduces every word of the input, in order, once the overlaps are removed', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const text = generateDocument(seed, 150);
      for (const options of [DEFAULT_CHUNK_OPTIONS, { maxTokens: 48, overlapTokens: 20 }, { maxTokens: 80, overlapTokens: 0 }]) {
        const chunks = chunkDocument(text, options);
        const words = chunks.flatMap((chunk, index) => {
          const previous = chunks[index - 1]?.content ?? '';
          return chunk.content.slice(overlapLength(previous, chunk.content, options)).split(/\s+/).filter(Boolean);
        });
        expect(words).toEqual(text.split(/\s+/).filter(Boolean));
        const expected = uniqueWords(text);
        const indexOf = new Map(expected.map((word, index) => [word, index]));
        let previousStart = 0;
        let seen = 0;
        for (const chunk of chunks) {
          const unique = uniqueWords(chunk.content);
          const start = indexOf.get(unique[0] ?? '') ?? -1;
          const inOrder = unique.every((word, offset) => indexOf.get(word) === start + offset);
          // Starts within the previous chunk, no later than its end, and adds new words.
          if (!inOrder || start < previousStart || start > seen || start + unique.length <= seen) {
            expect.fail(`chunk ${chunk.position} (seed ${seed}, ${JSON.stringify(options)}) holds words ${start}… after ${seen} seen`);
          }
          previousStart = start;
          seen = start + unique.length;
        }
        expect(seen).toBe(expected.length);
      }
    }
  });
});
