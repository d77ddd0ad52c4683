import { BOUNDARY, type BoundaryStrength } from './boundary.js';
import { isWhitespace } from './character-class.js';
import { startsListItemOrTableRow } from './markdown-blocks.js';

/** A range of a text block between two line breaks or sentence ends. */
export interface ProseSegment {
  readonly start: number;
  readonly end: number;
  /** The boundary before it; the first segment gets the block's. */
  readonly boundary: BoundaryStrength;
}

/** Words whose trailing period does not end a sentence. Kept short on purpose. */
const ABBREVIATIONS = new Set(['al', 'approx', 'cf', 'dr', 'fig', 'jr', 'mr', 'mrs', 'ms', 'no', 'prof', 'sr', 'st', 'vol', 'vs']);

function isSentenceMark(code: number): boolean {
  return code === 0x2e || code === 0x21 || code === 0x3f;
}

/** 。！？ end a sentence without a following space. */
function isCjkSentenceMark(code: number): boolean {
  return code === 0x3002 || code === 0xff01 || code === 0xff1f;
}

/** Quotes and brackets that may follow a sentence mark: `He said "no."` ends after the quote. */
function isCloser(code: number): boolean {
  return (
    code === 0x29 ||
    code === 0x5d ||
    code === 0x22 ||
    code === 0x27 ||
    code === 0xbb ||
    code === 0x2019 ||
    code === 0x201d ||
    code === 0x300d ||
    code === 0x300f ||
    code === 0xff09
  );
}

function isAsciiLetter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
}

function isAsciiDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function skipClosers(text: string, index: number, end: number): number {
  let position = index;
  while (position < end && isCloser(text.charCodeAt(position))) position += 1;
  return position;
}

function skipWhitespace(text: string, index: number, end: number): number {
  let position = index;
  while (position < end && isWhitespace(text.charCodeAt(position))) position += 1;
  return position;
}

/** Initials (`J.`, `e.g.`), a list number at the start of the line (`1.`) or a known abbreviation. */
function isAbbreviation(text: string, lineStart: number, period: number): boolean {
  let wordStart = period;
  while (wordStart > lineStart) {
    const code = text.charCodeAt(wordStart - 1);
    if (!isAsciiLetter(code) && !isAsciiDigit(code)) break;
    wordStart -= 1;
  }
  const length = period - wordStart;
  if (length === 0) return false;
  if (length === 1 && isAsciiLetter(text.charCodeAt(wordStart))) return true;
  let digits = true;
  for (let index = wordStart; index < period && digits; index += 1) digits = isAsciiDigit(text.charCodeAt(index));
  if (digits) return wordStart === lineStart;
  return ABBREVIATIONS.has(text.slice(wordStart, period).toLowerCase());
}

/** Where the sentence whose mark is at `index` ends (after closing quotes), or -1 if it does not end there. */
function sentenceEnd(text: string, lineStart: number, index: number, end: number): number {
  const code = text.charCodeAt(index);
  if (isCjkSentenceMark(code)) return skipClosers(text, index + 1, end);
  if (!isSentenceMark(code)) return -1;
  const stop = skipClosers(text, index + 1, end);
  if (stop >= end || !isWhitespace(text.charCodeAt(stop))) return -1;
  const next = text.charCodeAt(skipWhitespace(text, stop, end));
  if (next >= 97 && next <= 122) return -1;
  if (code === 0x2e && isAbbreviation(text, lineStart, index)) return -1;
  return stop;
}

/** Whether the line before ends its sentence or clause, or this line starts a list item, quote or table row. */
function isHardBreak(text: string, previousEnd: number, lineStart: number): boolean {
  if (startsListItemOrTableRow(text, lineStart)) return true;
  let last = previousEnd - 1;
  while (last > 0 && isCloser(text.charCodeAt(last))) last -= 1;
  const code = text.charCodeAt(last);
  return isSentenceMark(code) || isCjkSentenceMark(code) || code === 0x3a || code === 0x3b || code === 0x7c;
}

function splitSentences(text: string, start: number, end: number, boundary: BoundaryStrength, segments: ProseSegment[]): void {
  let segmentStart = start;
  let segmentBoundary = boundary;
  for (let index = start; index < end; index += 1) {
    const stop = sentenceEnd(text, start, index, end);
    if (stop < 0) continue;
    const next = skipWhitespace(text, stop, end);
    if (next >= end) break;
    segments.push({ start: segmentStart, end: stop, boundary: segmentBoundary });
    segmentStart = next;
    segmentBoundary = BOUNDARY.sentence;
    index = next - 1;
  }
  segments.push({ start: segmentStart, end, boundary: segmentBoundary });
}

/**
 * Cuts a text block that does not fit in a chunk at its line breaks and sentence ends
 * (`.`, `!`, `?` then a space, unless the next word is in lower case or the word is an
 * abbreviation; `。！？` anywhere). A line break is a strong boundary when it ends a
 * sentence or starts a list item, and a soft one inside hard-wrapped prose, which is then
 * better cut at its sentence ends.
 */
export function splitProse(text: string, start: number, end: number, boundary: BoundaryStrength): ProseSegment[] {
  const segments: ProseSegment[] = [];
  let lineStart = start;
  let previousEnd = -1;
  while (lineStart < end) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 || newline > end ? end : newline;
    const contentStart = skipWhitespace(text, lineStart, lineEnd);
    let contentEnd = lineEnd;
    while (contentEnd > contentStart && isWhitespace(text.charCodeAt(contentEnd - 1))) contentEnd -= 1;
    if (contentStart < contentEnd) {
      const lineBoundary = previousEnd < 0 ? boundary : isHardBreak(text, previousEnd, contentStart) ? BOUNDARY.line : BOUNDARY.softLine;
      splitSentences(text, contentStart, contentEnd, lineBoundary, segments);
      previousEnd = contentEnd;
    }
    lineStart = lineEnd + 1;
  }
  return segments;
}
