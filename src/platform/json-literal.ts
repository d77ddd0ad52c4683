/**
 * Characters of the JSON a model provider sends, commonest first, as counted
 * in OpenAI chat completion chunks and replies (ids, keys, timestamps and
 * short content); any other character is rarer than all of these.
 */
const COMMONEST_FIRST = '"eco:ntl0ad,hismrbp{}u- .123456789\n_gkfx[]jwyvzq';

/** By character code below 128: how common the character is, 0 for the rarest (looked up per literal built, once per streamed call). */
const COMMONNESS = new Uint8Array(128);
for (let rank = 0; rank < COMMONEST_FIRST.length; rank += 1) COMMONNESS[COMMONEST_FIRST.charCodeAt(rank)] = COMMONEST_FIRST.length - rank;

function commonness(code: number): number {
  return code < 128 ? COMMONNESS[code]! : 0;
}

/**
 * A literal searched for in JSON text (`"model":"gpt-4o"`, `"usage"`),
 * faster than `indexOf`. V8's string search probes for the first character
 * of what it looks for and compares from there; in JSON every key and string
 * value starts with a quote, and most keys with a handful of letters, so a
 * search for `"content":"` stops at nearly every member (in a streamed chunk:
 * `chatcmpl`, `chat.completion.chunk`, `created`, `choices`). On the
 * streaming path, with several searches per frame, that was about a seventh
 * of a streamed call's instructions. So the literal is searched for from its
 * rarest character on (`tent":"`, `ge"`, `gpt-4o-mini"`), and the whole of it
 * is compared where that part was found.
 */
export class JsonLiteral {
  /** Where the searched-for part starts in the literal. */
  private readonly offset: number;
  /** The literal from its rarest character on. */
  private readonly anchor: string;

  constructor(readonly text: string) {
    let offset = 0;
    for (let index = 1; index < text.length; index += 1) {
      if (commonness(text.charCodeAt(index)) < commonness(text.charCodeAt(offset))) offset = index;
    }
    this.offset = offset;
    this.anchor = text.slice(offset);
  }

  get length(): number {
    return this.text.length;
  }

  /** As `subject.indexOf(literal, from)`. */
  indexIn(subject: string, from = 0): number {
    const { offset } = this;
    if (offset === 0) return subject.indexOf(this.text, from);
    const anchoredAt = subject.indexOf(this.anchor, Math.max(from, 0) + offset);
    // No occurrence starts before `anchoredAt - offset`, and one nearly always starts there, where the whole literal is checked at once.
    return anchoredAt === -1 ? -1 : subject.indexOf(this.text, anchoredAt - offset);
  }

  /** As `subject.includes(literal)`. */
  isIn(subject: string): boolean {
    return this.indexIn(subject) !== -1;
  }
}
