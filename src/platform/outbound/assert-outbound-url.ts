import { lookup } from 'node:dns/promises';
import { InvalidOutboundUrlError } from './outbound-errors.js';
import type { OutboundPolicy } from './outbound-policy.js';
import { ipLiteralOf, parseOutboundUrl, refusalForIpLiteral } from './outbound-url.js';

/**
 * Create-time validation of a tenant-supplied URL (a tool, a webhook, a
 * provider base address), so a bad one is refused when saved rather than when
 * first used. It is advice, not the guard: DNS may answer differently later,
 * which is why the outbound client checks again at connect time.
 */
export async function assertOutboundUrl(
  url: string | URL,
  policy: OutboundPolicy,
  options: { readonly signal?: AbortSignal } = {},
): Promise<URL> {
  const parsed = parseOutboundUrl(url);
  if (ipLiteralOf(parsed.hostname) !== undefined) {
    const refusal = refusalForIpLiteral(policy, parsed.hostname);
    if (refusal) throw refusal;
    return parsed;
  }
  options.signal?.throwIfAborted();
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = await lookup(parsed.hostname, { all: true });
  } catch (error) {
    throw new InvalidOutboundUrlError('unresolvable', `The host "${parsed.hostname}" of the outbound URL could not be resolved.`, {
      cause: error,
    });
  }
  // getaddrinfo cannot be cancelled; the signal only stops us from going on.
  options.signal?.throwIfAborted();
  for (const { address, family } of addresses) policy.assertAllowed(parsed.hostname, address, family);
  return parsed;
}
