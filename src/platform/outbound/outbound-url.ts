import { ipFamilyOf } from './address-classes.js';
import { InvalidOutboundUrlError, OutboundAddressRefusedError } from './outbound-errors.js';
import type { OutboundPolicy } from './outbound-policy.js';

/**
 * Parses a URL for an outbound call: http or https only, and no credentials in
 * it (they would be logged and echoed; they belong in headers).
 */
export function parseOutboundUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new InvalidOutboundUrlError('unparsable', 'The outbound URL is not a valid absolute URL.', { cause: error });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidOutboundUrlError(
      'unsupported_scheme',
      `The outbound URL must use http or https, not "${parsed.protocol.slice(0, 20)}".`,
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new InvalidOutboundUrlError(
      'credentials',
      'The outbound URL must not contain a user name or password; send credentials in a header instead.',
    );
  }
  return parsed;
}

export interface IpLiteral {
  readonly address: string;
  readonly family: 4 | 6;
}

/**
 * The address when a URL's hostname is an IP literal (`10.0.0.5`, `[::1]`).
 * The URL parser has already canonicalized forms like `0x7f.1` to `127.0.0.1`.
 */
export function ipLiteralOf(hostname: string): IpLiteral | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const family = ipFamilyOf(bare);
  return family === undefined ? undefined : { address: bare, family };
}

/**
 * The refusal for an IP-literal hostname the policy refuses, else undefined
 * (also for names, which are judged after resolving them).
 */
export function refusalForIpLiteral(policy: OutboundPolicy, hostname: string): OutboundAddressRefusedError | undefined {
  const literal = ipLiteralOf(hostname);
  if (literal === undefined) return undefined;
  const decision = policy.check(literal.address, literal.address, literal.family);
  return decision.allowed ? undefined : new OutboundAddressRefusedError(literal.address, literal.address, decision.reason);
}
