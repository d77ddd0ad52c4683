import { BOUNDARY, type BoundaryStrength } from './boundary.js';
import { isCjk, isLowSurrogate, isWhitespace } from './character-class.js';
import type { MarkdownBlock } from './markdown-blocks.js';
import { splitProse } from './prose-segments.js';
import { countTokens } from './token-estimate.js';

/**
 * The unit the chunker packs: the largest structural part of the document (block, line,
 * sentence, word, or run of characters) that fits its budget. Pieces cover every
 * non-blank character of the document, in order; only whitespace lies between them.
 */
export interface Piece {
  readonly start: number;
  readonly end: number;
  readonly tokens: number;
  readonly boundary: BoundaryStrength;
  /** The first piece of a heading: a section starts here. */
  readonly startsSection: boolean;
  /** The enclosing headings, outermost first; a heading's own pieces include it. */
  readonly headings: readonly string[];
  /** A whole code fence or front matter: no overlap takes just a part of it. */
  readonly verbatim: boolean;
}

export interface PieceBudgets {
  /** The most tokens of any piece: what is left of a chunk after the overlap. */
  readonly text: number;
  /** The most tokens of a code fence kept whole; a fence is worth giving up the overlap for. */
  readonly verbatim: number;
}

const NO_HEADINGS: readonly string[] = Object.freeze([]);

/** At least a quarter token for every non-blank code unit, so no prefix longer than this fits. */
const MAX_CHARACTERS_PER_TOKEN = 4;

function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Past the half of a character cut, prefer to end after punctuation (`/`, `-`, `.`) or at a camelCase hump. */
function isGentleCut(text: string, index: number): boolean {
  const current = text.charCodeAt(index);
  if (isLowSurrogate(current)) return false;
  const previous = text.charCodeAt(index - 1);
  if (isCjk(previous) || isCjk(current)) return true;
  if (previous < 128 && !isAsciiAlphanumeric(previous)) return true;
  return previous >= 97 && previous <= 122 && current >= 65 && current <= 90;
}

class PieceCollector {
  readonly pieces: Piece[] = [];
  private readonly text: string;
  private readonly budgets: PieceBudgets;
  private readonly sections: { level: number; title: string }[] = [];
  private headings = NO_HEADINGS;
  private sectionPending = false;
  /** Tokens of the headings just read, which the next block's first piece must fit beside. */
  private headingTokens = 0;

  constructor(text: string, budgets: PieceBudgets) {
    this.text = text;
    this.budgets = budgets;
  }

  addBlock(block: MarkdownBlock): void {
    if (block.kind === 'heading') this.enterSection(block);
    const boundary = block.kind === 'heading' ? BOUNDARY.section : BOUNDARY.block;
    const tokens = countTokens(this.text, block.start, block.end);
    // A paragraph right under a heading is cut to fit beside it, so no chunk is a bare
    // heading; a code fence rather stays whole.
    const budget = Math.max(this.budgets.text - this.headingTokens, Math.ceil(this.budgets.text / 2));
    this.headingTokens = block.kind === 'heading' ? this.headingTokens + tokens : 0;
    if (block.kind === 'verbatim' ? tokens <= this.budgets.verbatim : tokens <= budget) {
      this.add(block.start, block.end, tokens, boundary, block.kind === 'verbatim');
    } else if (block.kind === 'verbatim') {
      this.addLines(block.start, block.end, boundary, this.budgets.text);
    } else {
      for (const segment of splitProse(this.text, block.start, block.end, boundary)) {
        this.addFitting(segment.start, segment.end, segment.boundary, budget);
      }
    }
  }

  private enterSection(block: MarkdownBlock): void {
    while ((this.sections.at(-1)?.level ?? 0) >= block.level) this.sections.pop();
    this.sections.push({ level: block.level, title: block.title });
    this.headings = Object.freeze(this.sections.map((section) => section.title).filter((title) => title !== ''));
    this.sectionPending = true;
  }

  private add(start: number, end: number, tokens: number, boundary: BoundaryStrength, verbatim = false): void {
    this.pieces.push({ start, end, tokens, boundary, startsSection: this.sectionPending, headings: this.headings, verbatim });
    this.sectionPending = false;
  }

  /** Code is cut at its lines only, blank or not: a blank line in code is no paragraph break. */
  private addLines(start: number, end: number, boundary: BoundaryStrength, budget: number): void {
    let lineBoundary = boundary;
    let lineStart = start;
    while (lineStart < end) {
      const newline = this.text.indexOf('\n', lineStart);
      const lineEnd = newline === -1 || newline > end ? end : newline;
      let contentStart = lineStart;
      while (contentStart < lineEnd && isWhitespace(this.text.charCodeAt(contentStart))) contentStart += 1;
      let contentEnd = lineEnd;
      while (contentEnd > contentStart && isWhitespace(this.text.charCodeAt(contentEnd - 1))) contentEnd -= 1;
      if (contentStart < contentEnd) {
        this.addFitting(contentStart, contentEnd, lineBoundary, budget);
        lineBoundary = BOUNDARY.line;
      }
      lineStart = lineEnd + 1;
    }
  }

  /** One piece if the range fits, else its words. */
  private addFitting(start: number, end: number, boundary: BoundaryStrength, budget: number): void {
    const tokens = countTokens(this.text, start, end);
    if (tokens <= budget) this.add(start, end, tokens, boundary);
    else this.addWords(start, end, boundary, budget);
  }

  private addWords(start: number, end: number, boundary: BoundaryStrength, budget: number): void {
    let wordBoundary = boundary;
    let index = start;
    while (index < end) {
      while (index < end && isWhitespace(this.text.charCodeAt(index))) index += 1;
      if (index >= end) return;
      const wordStart = index;
      while (index < end && !isWhitespace(this.text.charCodeAt(index))) index += 1;
      const tokens = countTokens(this.text, wordStart, index);
      if (tokens <= budget) this.add(wordStart, index, tokens, wordBoundary);
      else this.addCharacters(wordStart, index, wordBoundary, budget);
      wordBoundary = BOUNDARY.word;
    }
  }

  /** A word longer than a chunk (a URL, base64, unspaced CJK): the longest prefixes that fit. */
  private addCharacters(start: number, end: number, boundary: BoundaryStrength, budget: number): void {
    let cutBoundary = boundary;
    let index = start;
    while (index < end) {
      let cut = this.longestFittingPrefix(index, end, budget);
      if (cut < end) {
        const half = index + Math.ceil((cut - index) / 2);
        let gentle = cut;
        while (gentle > half && !isGentleCut(this.text, gentle)) gentle -= 1;
        if (gentle > half) cut = gentle;
      }
      this.add(index, cut, countTokens(this.text, index, cut), cutBoundary);
      cutBoundary = BOUNDARY.character;
      index = cut;
    }
  }

  /** Binary search: the estimate only grows as a prefix grows. Never ends between surrogates. */
  private longestFittingPrefix(start: number, end: number, budget: number): number {
    let low = start + 1;
    let high = Math.min(end, start + MAX_CHARACTERS_PER_TOKEN * budget + 1);
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (countTokens(this.text, start, middle) <= budget) low = middle;
      else high = middle - 1;
    }
    if (low < end && low - 1 > start && isLowSurrogate(this.text.charCodeAt(low))) low -= 1;
    return low;
  }
}

/**
 * Turns blocks into pieces that each fit `budgets.text` tokens (code fences up to
 * `budgets.verbatim`): a block that fits is one piece; a larger one is cut at lines and
 * sentences, then words, then characters, each piece remembering the boundary before it.
 */
export function collectPieces(text: string, blocks: readonly MarkdownBlock[], budgets: PieceBudgets): Piece[] {
  const collector = new PieceCollector(text, budgets);
  for (const block of blocks) collector.addBlock(block);
  return collector.pieces;
}
