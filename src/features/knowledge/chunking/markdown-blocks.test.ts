import { describe, expect, it } from 'vitest';
import { readMarkdownBlocks } from './markdown-blocks.js';

function read(text: string): Array<[string, string, number, string]> {
  return readMarkdownBlocks(text).map((block) => [block.kind, text.slice(block.start, block.end), block.level, block.title]);
}

describe('readMarkdownBlocks', () => {
  it('finds ATX headings, dropping closing hashes, and nothing else that starts with #', () => {
    expect(read('# One\n## Two ##\n#hashtag\n    # indented code\n####### seven\n### C#')).toEqual([
      ['heading', '# One', 1, 'One'],
      ['heading', '## Two ##', 2, 'Two'],
      ['text', '#hashtag\n    # indented code\n####### seven', 0, ''],
      ['heading', '### C#', 3, 'C#'],
    ]);
  });

  it('keeps headings as plain words for the stack', () => {
    expect(readMarkdownBlocks('## The [`query`](api.md#query) **API** <a id="q"></a> {#query-api}\n\n![Logo](logo.png)\n===').map((block) => block.title)).toEqual([
      'The query API',
      'Logo',
    ]);
  });

  it('finds setext headings under one-line paragraphs only', () => {
    expect(read('Title\n=====\n\nSub\n---\n\nline one\nline two\n---\n\n- item\n---')).toEqual([
      ['heading', 'Title\n=====', 1, 'Title'],
      ['heading', 'Sub\n---', 2, 'Sub'],
      ['text', 'line one\nline two\n---', 0, ''],
      ['text', '- item\n---', 0, ''],
    ]);
  });

  it('keeps a code fence as one block, with its blank lines and # lines, up to its closing line', () => {
    expect(read('```js\n# not a heading\n\n\ncode()\n```\nafter\n\n~~~\na\n~~~~\n\n  ```\nopen\n\n# x\n')).toEqual([
      ['verbatim', '```js\n# not a heading\n\n\ncode()\n```', 0, ''],
      ['text', 'after', 0, ''],
      ['verbatim', '~~~\na\n~~~~', 0, ''],
      ['verbatim', '```\nopen\n\n# x', 0, ''],
    ]);
  });

  it('keeps front matter verbatim, not a document opening with a rule, and splits text at blank lines', () => {
    expect(read('---\ntitle: x\nlist: [a]\n---\n\n# H\n\n a \n\n\n b ')).toEqual([
      ['verbatim', '---\ntitle: x\nlist: [a]\n---', 0, ''],
      ['heading', '# H', 1, 'H'],
      ['text', 'a', 0, ''],
      ['text', 'b', 0, ''],
    ]);
    expect(read('---\n\n# H\n\n---')).toEqual([
      ['text', '---', 0, ''],
      ['heading', '# H', 1, 'H'],
      ['text', '---', 0, ''],
    ]);
    expect(read(' \n\t\n')).toEqual([]);
  });
});
