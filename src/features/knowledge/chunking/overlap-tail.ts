import { isCjk, isWhitespace } from './character-class.js';
import { countTokens } from './token-estimate.js';

export interface OverlapTail {
  readonly start: number;
  readonly tokens: number;
}

/** A word may start here: after whitespace, or next to a CJK character (CJK has no spaces). */
function isWordStart(text: string, index: number): boolean {
  if (index === 0) return true;
  const previous = text.charCodeAt(index - 1);
  return isWhitespace(previous) || isCjk(previous) || isCjk(text.charCodeAt(index));
}

/** The start of the word ending at or before `end` (after skipping whitespace), or -1 at `floor` mid-word. */
function previousWordStart(text: string, floor: number, end: number): number {
  let index = end;
  while (index > floor && isWhitespace(text.charCodeAt(index - 1))) index -= 1;
  if (index <= floor) return -1;
  if (isCjk(text.charCodeAt(index - 1))) return index - 1;
  while (index > floor) {
    const code = text.charCodeAt(index - 1);
    if (isWhitespace(code) || isCjk(code)) break;
    index -= 1;
  }
  return isWordStart(text, index) ? index : -1;
}

/** After a line break, or after a sentence mark (closing quotes allowed) unless in lower case (`e.g. this`). */
function isSentenceStart(text: string, index: number): boolean {
  let before = index;
  while (before > 0 && isWhitespace(text.charCodeAt(before - 1))) {
    if (text.charCodeAt(before - 1) === 0x0a) return true;
    before -= 1;
  }
  if (before === 0) return true;
  const spaced = before < index;
  while (before > 0 && /["')\]»’”」』）]/.test(text[before - 1] ?? '')) before -= 1;
  const code = text.charCodeAt(before - 1);
  if (code === 0x3002 || code === 0xff01 || code === 0xff1f) return true;
  const startsLower = /[a-z]/.test(text[index] ?? '');
  return spaced && !startsLower && (code === 0x2e || code === 0x21 || code === 0x3f);
}

/**
 * The tail of the previous chunk `[floor, end)` that the next chunk repeats: at most
 * `limit` tokens, starting on a word boundary, and on a sentence start when one gives at
 * least half of `limit`. `floor` is the previous chunk's start or its last heading, so an
 * overlap never carries text from an earlier section. Undefined when not even one word fits.
 */
export function findOverlapTail(text: string, floor: number, end: number, limit: number): OverlapTail | undefined {
  let word: OverlapTail | undefined;
  let sentence: OverlapTail | undefined;
  let position = end;
  let tokens = 0;
  while (position > floor) {
    const start = previousWordStart(text, floor, position);
    if (start < 0) break;
    const cost = countTokens(text, start, position);
    if (tokens + cost > limit) break;
    tokens += cost;
    position = start;
    word = { start, tokens };
    if (isSentenceStart(text, start)) sentence = word;
  }
  if (sentence && sentence.tokens * 2 >= limit) return sentence;
  return word;
}
