import { lookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { OutboundAddressRefusedError } from './outbound-errors.js';
import type { OutboundPolicy } from './outbound-policy.js';

/** The first refused address among everything a name resolved to, if any. */
export function refusalAmong(
  policy: OutboundPolicy,
  hostname: string,
  addresses: readonly LookupAddress[],
): OutboundAddressRefusedError | undefined {
  for (const { address, family } of addresses) {
    const decision = policy.check(hostname, address, family);
    if (!decision.allowed) return new OutboundAddressRefusedError(hostname, address, decision.reason);
  }
  return undefined;
}

/**
 * A `lookup` for `net.connect` that resolves, checks every address and hands
 * exactly the checked addresses back, so the socket connects to what was
 * judged. Checking first and letting the socket resolve again would let a
 * rebinding DNS server answer "public" to the check and "private" to the socket.
 * One refused address refuses the name: Happy Eyeballs may try any of them.
 */
export function createGuardedLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      if (addresses.length === 0) {
        return callback(Object.assign(new Error(`No addresses found for ${hostname}.`), { code: 'ENOTFOUND' }), []);
      }
      const refusal = refusalAmong(policy, hostname, addresses);
      if (refusal) return callback(refusal, []);
      if (options.all) return callback(null, addresses);
      const [first] = addresses as [LookupAddress];
      return callback(null, first.address, first.family);
    });
  };
}
