/**
 * Character predicates shared by the token estimate and the chunk boundaries. They work on
 * UTF-16 code units (`charCodeAt`) so the scanning loops never allocate; a character
 * outside the Basic Multilingual Plane is two surrogate units.
 */

/** Exactly JavaScript's `\s`, so our trimming agrees with `String.prototype.trim`. */
export function isWhitespace(code: number): boolean {
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Han, kana, Hangul, CJK punctuation and full-width forms: one token each, and written
 * without spaces, so a boundary may fall between any two of them.
 */
export function isCjk(code: number): boolean {
  return (
    (code >= 0x3001 && code <= 0x9fff) ||
    (code >= 0xac00 && code <= 0xd7af) ||
    (code >= 0x1100 && code <= 0x11ff) ||
    (code >= 0x2e80 && code <= 0x2fff) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xffef)
  );
}

export function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
