const QUOTE = 0x22;

/**
 * A literal searched for in JSON text (`"model":"gpt-4o"`, `"usage"`),
 * faster than `indexOf` when it starts with a quote. V8's string search
 * probes for the first character of what it looks for and compares from
 * there; in JSON every key and string value starts with a quote, so for such
 * a literal it stops every few characters, and on the streaming path
 * (several searches per frame) that was about a seventh of a streamed call's
 * instructions. A literal that starts with a quote is searched for less its
 * quote, whose next character is rarer, and the quote is checked before each
 * match; any other literal is searched for as it is.
 */
export class JsonLiteral {
  /** The literal less its leading quote, when it has one (and more after it). */
  private readonly tail: string | undefined;

  constructor(readonly text: string) {
    this.tail = text.length >= 2 && text.charCodeAt(0) === QUOTE ? text.slice(1) : undefined;
  }

  get length(): number {
    return this.text.length;
  }

  /** As `subject.indexOf(literal, from)`. */
  indexIn(subject: string, from = 0): number {
    const { tail } = this;
    if (tail === undefined) return subject.indexOf(this.text, from);
    for (let at = subject.indexOf(tail, Math.max(from, 0) + 1); at !== -1; at = subject.indexOf(tail, at + 1)) {
      if (subject.charCodeAt(at - 1) === QUOTE) return at - 1;
    }
    return -1;
  }

  /** As `subject.includes(literal)`. */
  isIn(subject: string): boolean {
    return this.indexIn(subject) !== -1;
  }
}
