import { UpstreamError } from '../../platform/errors.js';

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

const CLOSING_BRACE = 0x7d;

function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
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
  let end = text.length;
  while (end > 0 && isJsonWhitespace(text.charCodeAt(end - 1))) end -= 1;
  // A parsed JSON object ends with its own closing brace; one that contains `from` has a member, so a comma follows it.
  if (text.charCodeAt(end - 1) !== CLOSING_BRACE || !text.includes(replace.from)) return undefined;
  const members = text.slice(0, end - 1);
  return `${replace.from === replace.to ? members : members.replaceAll(replace.from, replace.to)},${lastMember}}`;
}
