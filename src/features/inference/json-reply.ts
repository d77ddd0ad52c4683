import { UpstreamError } from '../../platform/errors.js';
import { JsonLiteral } from '../../platform/json-literal.js';

/** A literal the client's copy of a reply has in place of the provider's, e.g. the model's name. */
export interface TextReplacement {
  readonly from: string;
  readonly to: string;
}

/**
 * The provider's `chat.completion`, parsed once: that is how its usage is
 * read and how a reply that is not a JSON object is caught before it reaches
 * the client.
 */
export function parseCompletion(text: string, connection: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UpstreamError('upstream', 'upstream_invalid_reply', `The provider of connection '${connection}' answered with something other than a JSON object.`, null);
  }
  return parsed as Record<string, unknown>;
}

const OPENING_BRACE = 0x7b;
const CLOSING_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** Where `text` ends but for trailing JSON whitespace (not before `start`). */
function endWithoutWhitespace(text: string, start = 0): number {
  let end = text.length;
  while (end > start && isJsonWhitespace(text.charCodeAt(end - 1))) end -= 1;
  return end;
}

/**
 * A provider's `chat.completion` as read by `scanCompletion`: its usage (as
 * sent), the model it names, and its text, which `amended` changes in place.
 */
export class ScannedCompletion {
  constructor(
    private readonly text: string,
    readonly usage: unknown,
    readonly model: string,
    /** Where the model's JSON string starts (its opening quote) and ends (after its closing quote). */
    private readonly modelValue: { readonly start: number; readonly end: number },
    /** Where the reply's closing brace is. */
    private readonly closingBrace: number,
  ) {}

  /** The reply naming `model` instead, with `lastMember` (`"name":value`) added as its last member. */
  amended(model: string, lastMember: string): string {
    const { text, modelValue } = this;
    return `${text.slice(0, modelValue.start)}${JSON.stringify(model)}${text.slice(modelValue.end, this.closingBrace)},${lastMember}}`;
  }
}

const USAGE_MEMBER = '"usage":';
/** What may follow a member's value: another member, the end of the object, whitespace. */
const MEMBER_FOLLOWERS = new Set([0x2c, CLOSING_BRACE, 0x20, 0x0a, 0x0d, 0x09]);
const MODEL_MEMBER = new JsonLiteral('"model":"');
const GENERATION_CONTEXT_MEMBER = new JsonLiteral('"generation_context":');

/** Where the JSON object that opens at `start` closes (the index after its brace), or -1. */
function objectEnd(text: string, start: number): number {
  if (text.charCodeAt(start) !== OPENING_BRACE) return -1;
  let depth = 0;
  for (let index = start; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      for (index += 1; index < text.length && text.charCodeAt(index) !== QUOTE; index += 1) {
        if (text.charCodeAt(index) === BACKSLASH) index += 1;
      }
    } else if (code === OPENING_BRACE) {
      depth += 1;
    } else if (code === CLOSING_BRACE) {
      depth -= 1;
      if (depth === 0) return index + 1;
    }
  }
  return -1;
}

/**
 * The usage and model of a provider's reply, read from its text without
 * parsing all of it: on the hot path, parsing a whole reply (every string
 * and object of it made) for three numbers and a name was the largest part
 * of what the gateway adds to a call. It reads the compact form providers
 * send: an object whose last `"usage":{…}` member holds the usage (parsed,
 * so malformed usage is caught) and whose first `"model":"…"` member names
 * the model without escapes (the one `amended` renames). In valid JSON these
 * literals can only be member names (a quote inside a string is escaped).
 * Undefined for anything else, and for a reply that already has a
 * `generation_context`: the caller then parses the whole reply
 * (parseCompletion), which also refuses a reply that is not a JSON object.
 *
 * What it does not do is check the rest of the text: a reply framed as an
 * object, with valid usage, but broken in between reaches the client as the
 * provider sent it, as any pass-through proxy would pass it.
 */
export function scanCompletion(text: string): ScannedCompletion | undefined {
  let start = 0;
  while (start < text.length && isJsonWhitespace(text.charCodeAt(start))) start += 1;
  const end = endWithoutWhitespace(text, start);
  if (text.charCodeAt(start) !== OPENING_BRACE || text.charCodeAt(end - 1) !== CLOSING_BRACE) return undefined;
  const usageAt = text.lastIndexOf(USAGE_MEMBER, end);
  if (usageAt === -1) return undefined;
  const usageStart = usageAt + USAGE_MEMBER.length;
  const usageEnd = objectEnd(text, usageStart);
  // The reply's own brace must still follow: a text cut off right after the usage object would end with that object's.
  if (usageEnd === -1 || usageEnd >= end || !MEMBER_FOLLOWERS.has(text.charCodeAt(usageEnd))) return undefined;
  const modelAt = MODEL_MEMBER.indexIn(text, start);
  if (modelAt === -1) return undefined;
  const modelStart = modelAt + MODEL_MEMBER.length;
  const modelEnd = text.indexOf('"', modelStart);
  if (modelEnd === -1 || GENERATION_CONTEXT_MEMBER.isIn(text)) return undefined;
  const model = text.slice(modelStart, modelEnd);
  if (model.includes('\\')) return undefined;
  let usage: unknown;
  try {
    usage = JSON.parse(text.slice(usageStart, usageEnd));
  } catch {
    return undefined;
  }
  return new ScannedCompletion(text, usage, model, { start: modelStart - 1, end: modelEnd + 1 }, end - 1);
}

/**
 * The provider's reply text as the client receives it, amended in the text
 * rather than by serializing the parsed reply again (on the hot path that
 * cost more than parsing it): `replace` is made everywhere, as the stream
 * relay does it in every frame, and `lastMember` (`"name":value`) closes the
 * object.
 *
 * `text` must be one that `parseCompletion` accepted, and must not already
 * have a member named as `lastMember` is. Undefined when the text does not
 * contain `replace.from` (a provider that spaces its JSON, or names another
 * model): the caller then serializes the amended object instead.
 */
export function amendReplyText(text: string, replace: TextReplacement, lastMember: string): string | undefined {
  const end = endWithoutWhitespace(text);
  // A parsed JSON object ends with its own closing brace; one that contains `from` has a member, so a comma follows it.
  if (text.charCodeAt(end - 1) !== CLOSING_BRACE || !text.includes(replace.from)) return undefined;
  const members = text.slice(0, end - 1);
  return `${replace.from === replace.to ? members : members.replaceAll(replace.from, replace.to)},${lastMember}}`;
}
