import { isWhitespace } from './character-class.js';

/**
 * A top-level block of a Markdown document, as a range of the text running from its first
 * to its last non-blank character. `verbatim` blocks (code fences, front matter) are never
 * split at their blank lines; `text` blocks are paragraphs, lists, tables and the like,
 * delimited by blank lines.
 */
export interface MarkdownBlock {
  readonly kind: 'heading' | 'verbatim' | 'text';
  readonly start: number;
  readonly end: number;
  /** 1–6 for a heading, 0 otherwise. */
  readonly level: number;
  /** A heading's text without its markers; '' otherwise. */
  readonly title: string;
}

interface Line {
  /** Where the line starts and ends (before its newline). */
  readonly start: number;
  readonly end: number;
  /** First and past-the-last non-blank character; equal when the line is blank. */
  readonly contentStart: number;
  readonly contentEnd: number;
}

const MAX_HEADING_INDENT = 3;
const LIST_ITEM_OR_TABLE_ROW = /[-*+][ \t]|[>|]|\d{1,9}[.)][ \t]/y;

function readLine(text: string, start: number): Line {
  const newline = text.indexOf('\n', start);
  const end = newline === -1 ? text.length : newline;
  let contentStart = start;
  while (contentStart < end && isWhitespace(text.charCodeAt(contentStart))) contentStart += 1;
  let contentEnd = end;
  while (contentEnd > contentStart && isWhitespace(text.charCodeAt(contentEnd - 1))) contentEnd -= 1;
  return { start, end, contentStart, contentEnd };
}

function repeated(text: string, from: number, end: number, code: number): number {
  let index = from;
  while (index < end && text.charCodeAt(index) === code) index += 1;
  return index - from;
}

/**
 * A heading's text as plain words for the headings stack, which is embedded with every
 * chunk: links and images keep their text, code spans their code; strong marks, HTML tags
 * and `{#anchor}` ids go.
 */
function plainTitle(title: string): string {
  return title
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/\s*\{#[\w-]+\}$/, '')
    .trim();
}

/** `#`…`######` then a space or the end of the line; the optional closing hashes are dropped. */
function atxHeading(text: string, line: Line): MarkdownBlock | undefined {
  if (line.contentStart - line.start > MAX_HEADING_INDENT || text.charCodeAt(line.contentStart) !== 0x23) return undefined;
  const level = repeated(text, line.contentStart, line.contentEnd, 0x23);
  const after = line.contentStart + level;
  if (level > 6 || (after < line.contentEnd && !isWhitespace(text.charCodeAt(after)))) return undefined;
  const title = plainTitle(text.slice(after, line.contentEnd).replace(/(?:^|[ \t]+)#+$/, ''));
  return { kind: 'heading', start: line.contentStart, end: line.contentEnd, level, title };
}

/** A run of `=` (level 1) or `-` (level 2) alone on its line, under a one-line paragraph. */
function setextLevel(text: string, line: Line): number {
  if (line.contentStart - line.start > MAX_HEADING_INDENT) return 0;
  const code = text.charCodeAt(line.contentStart);
  if (code !== 0x3d && code !== 0x2d) return 0;
  if (repeated(text, line.contentStart, line.contentEnd, code) !== line.contentEnd - line.contentStart) return 0;
  return code === 0x3d ? 1 : 2;
}

/** The length of the ``` or ~~~ run opening a fence, or 0. Any indentation, for fences in list items. */
function fenceOpening(text: string, line: Line): number {
  const code = text.charCodeAt(line.contentStart);
  if (code !== 0x60 && code !== 0x7e) return 0;
  const length = repeated(text, line.contentStart, line.contentEnd, code);
  if (length < 3) return 0;
  if (code === 0x60 && text.slice(line.contentStart + length, line.contentEnd).includes('`')) return 0;
  return length;
}

function closesFence(text: string, line: Line, code: number, length: number): boolean {
  if (text.charCodeAt(line.contentStart) !== code) return false;
  const run = repeated(text, line.contentStart, line.contentEnd, code);
  return run >= length && run === line.contentEnd - line.contentStart;
}

/** The line closing the block opened at `opening`, or undefined when it runs to the end. */
function findClosing(text: string, opening: Line, closes: (line: Line) => boolean): Line | undefined {
  let line = opening;
  while (line.end < text.length) {
    line = readLine(text, line.end + 1);
    if (closes(line)) return line;
  }
  return undefined;
}

function isFrontMatterMarker(text: string, line: Line): boolean {
  if (line.contentStart !== line.start || line.contentEnd - line.contentStart !== 3) return false;
  return text.startsWith('---', line.start) || (line.start > 0 && text.startsWith('...', line.start));
}

/**
 * `---` on the first line, closed by `---` or `...` before any blank line: YAML front
 * matter, kept verbatim. Requiring no blank line keeps a document that merely opens with a
 * thematic break from losing its headings to "front matter".
 */
function frontMatter(text: string): Line | undefined {
  let line = readLine(text, 0);
  if (!isFrontMatterMarker(text, line)) return undefined;
  while (line.end < text.length) {
    line = readLine(text, line.end + 1);
    if (line.contentStart === line.contentEnd) return undefined;
    if (isFrontMatterMarker(text, line)) return line;
  }
  return undefined;
}

/**
 * Splits a Markdown (or plain) text into blocks: ATX and setext headings, fenced code,
 * front matter, and blank-line-separated text. A setext underline only makes a heading of
 * a one-line paragraph that is not a list item or table row; under anything longer it is
 * taken for a thematic break, which is what such text usually means. An unclosed fence
 * runs to the end of the document, as in CommonMark.
 */
export function readMarkdownBlocks(text: string): MarkdownBlock[] {
  const blocks: MarkdownBlock[] = [];
  let paragraph: { start: number; end: number; lines: number } | undefined;
  const flush = (): void => {
    if (paragraph) blocks.push({ kind: 'text', start: paragraph.start, end: paragraph.end, level: 0, title: '' });
    paragraph = undefined;
  };
  let position = 0;
  const matter = frontMatter(text);
  if (matter) {
    blocks.push({ kind: 'verbatim', start: 0, end: matter.contentEnd, level: 0, title: '' });
    position = matter.end + 1;
  }
  while (position <= text.length) {
    const line = readLine(text, position);
    position = line.end + 1;
    if (line.contentStart === line.contentEnd) {
      flush();
      continue;
    }
    const fence = fenceOpening(text, line);
    if (fence > 0) {
      flush();
      const code = text.charCodeAt(line.contentStart);
      const closing = findClosing(text, line, (candidate) => closesFence(text, candidate, code, fence));
      const end = closing ? closing.contentEnd : text.trimEnd().length;
      blocks.push({ kind: 'verbatim', start: line.contentStart, end, level: 0, title: '' });
      position = closing ? closing.end + 1 : text.length + 1;
      continue;
    }
    const heading = atxHeading(text, line);
    if (heading) {
      flush();
      blocks.push(heading);
      continue;
    }
    const setext = paragraph?.lines === 1 ? setextLevel(text, line) : 0;
    if (paragraph && setext > 0 && !startsListItemOrTableRow(text, paragraph.start)) {
      const title = plainTitle(text.slice(paragraph.start, paragraph.end));
      blocks.push({ kind: 'heading', start: paragraph.start, end: line.contentEnd, level: setext, title });
      paragraph = undefined;
      continue;
    }
    if (paragraph) {
      paragraph.end = line.contentEnd;
      paragraph.lines += 1;
    } else {
      paragraph = { start: line.contentStart, end: line.contentEnd, lines: 1 };
    }
  }
  flush();
  return blocks;
}

/** Whether a list marker (`-`, `*`, `+`, `1.`, `1)`), a quote or a table row starts at `index`. */
export function startsListItemOrTableRow(text: string, index: number): boolean {
  LIST_ITEM_OR_TABLE_ROW.lastIndex = index;
  return LIST_ITEM_OR_TABLE_ROW.test(text);
}
