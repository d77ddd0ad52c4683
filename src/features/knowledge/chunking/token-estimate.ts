import { isCjk, isWhitespace } from './character-class.js';

// Character classes of the estimate. Plain module-level numbers, not an imported object:
// this loop runs over every character of every document, and some loaders (tsx, vitest)
// turn each access to an imported binding into a getter call.
const WHITESPACE = 0;
const SYMBOL = 1;
const LOWER = 2;
const UPPER = 3;
const DIGIT = 4;
const OTHER_LETTER = 5;

/** A run of letters and digits costs ceil(weight / RUN_WEIGHT_PER_TOKEN) tokens. */
const RUN_WEIGHT_PER_TOKEN = 12;
/** A run of one repeated ASCII symbol (`----`, `====`, `...`) costs ceil(length / SYMBOLS_PER_TOKEN). */
const SYMBOLS_PER_TOKEN = 4;

const ASCII_CLASSES: readonly number[] = Array.from({ length: 128 }, (_, code) => {
  if (code === 32 || (code >= 9 && code <= 13)) return WHITESPACE;
  if (code >= 97 && code <= 122) return LOWER;
  if (code >= 65 && code <= 90) return UPPER;
  if (code >= 48 && code <= 57) return DIGIT;
  return SYMBOL;
});

/** Non-ASCII code units that stand alone as a token: punctuation, symbols, CJK, surrogates. */
function isStandalone(code: number): boolean {
  return (
    isCjk(code) ||
    (code >= 0xa1 && code <= 0xbf) ||
    code === 0xd7 ||
    code === 0xf7 ||
    (code >= 0x2000 && code <= 0x2bff) ||
    (code >= 0x2e00 && code <= 0x2e7f) ||
    (code >= 0xd800 && code <= 0xf8ff) ||
    (code >= 0xfe00 && code <= 0xfe6f) ||
    code >= 0xfff0
  );
}

function characterClass(code: number): number {
  if (code < 128) return ASCII_CLASSES[code] ?? SYMBOL;
  if (isWhitespace(code)) return WHITESPACE;
  if (isStandalone(code)) return SYMBOL;
  return OTHER_LETTER;
}

function runWeight(kind: number): number {
  if (kind === DIGIT) return 4;
  if (kind === OTHER_LETTER) return 6;
  return 3;
}

/** camelCase humps and letter/digit switches start a new BPE piece in practice. */
function startsSubword(previous: number, kind: number): boolean {
  if (previous === LOWER && kind === UPPER) return true;
  return (previous === DIGIT) !== (kind === DIGIT);
}

/**
 * Estimated tokens of `text.slice(start, end)`, without slicing. Linear, allocation-free.
 *
 * The estimate stands in for any model's BPE tokenizer (cl100k/o200k-like), erring
 * high rather than low because chunks must stay under an embedding model's limit:
 * - letters and digits form runs, split further at camelCase humps and letter/digit
 *   switches; a run costs ceil(weight / 12), an ASCII letter weighing 3 (≈ 4 letters a
 *   token), a digit 4 (BPE groups digits by three at most) and any other letter 6
 *   (accented and non-Latin letters take ≈ 2 characters a token);
 * - every other visible symbol (punctuation, operators) is 1 token, except that a run of
 *   one repeated ASCII symbol (`---`, `====`, `...`) costs 1 token per 4;
 * - every CJK character is 1 token; a character outside the BMP (emoji) is 2;
 * - whitespace is free and only ends runs.
 *
 * It is subadditive: cutting a text in two never gives parts whose estimates sum to less
 * than the whole's, and cutting at whitespace gives exactly the whole's. The chunker
 * relies on that to size chunks from the sizes of their pieces.
 */
export function countTokens(text: string, start: number, end: number): number {
  let tokens = 0;
  let run = 0;
  let previous = WHITESPACE;
  let previousCode = -1;
  let repeats = 0;
  for (let index = start; index < end; index += 1) {
    const code = text.charCodeAt(index);
    const kind = characterClass(code);
    if (kind === SYMBOL && code === previousCode && code < 128) {
      repeats += 1;
      if (repeats % SYMBOLS_PER_TOKEN === 0) tokens += 1;
      continue;
    }
    previousCode = code;
    repeats = 0;
    if (kind >= LOWER) {
      if (run > 0 && startsSubword(previous, kind)) {
        tokens += Math.ceil(run / RUN_WEIGHT_PER_TOKEN);
        run = 0;
      }
      run += runWeight(kind);
    } else {
      if (run > 0) {
        tokens += Math.ceil(run / RUN_WEIGHT_PER_TOKEN);
        run = 0;
      }
      if (kind === SYMBOL) tokens += 1;
    }
    previous = kind;
  }
  return run > 0 ? tokens + Math.ceil(run / RUN_WEIGHT_PER_TOKEN) : tokens;
}

/** Estimated BPE tokens of `text` for any model; see {@link countTokens} for the rules. */
export function estimateTokens(text: string): number {
  return countTokens(text, 0, text.length);
}
