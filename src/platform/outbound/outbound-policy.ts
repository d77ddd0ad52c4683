import { type AddressClass, classifyAddress, ipFamilyOf } from './address-classes.js';
import { OutboundAllowList, parseOutboundAllowList } from './outbound-allow-list.js';
import { OutboundAddressRefusedError } from './outbound-errors.js';

export type OutboundDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: AddressClass };

const ALLOWED: OutboundDecision = Object.freeze({ allowed: true });

/**
 * Decides whether a tenant-driven connection may reach an address: private,
 * loopback, link-local, metadata and other non-public ranges are refused unless
 * the operator's allow list names the hostname, the address or its range.
 */
export class OutboundPolicy {
  constructor(private readonly allowList: OutboundAllowList = OutboundAllowList.empty()) {}

  /** Builds the policy from the raw `AGENTRY_OUTBOUND_ALLOW` value; throws on a bad entry. */
  static fromSetting(text: string | undefined): OutboundPolicy {
    return new OutboundPolicy(parseOutboundAllowList(text));
  }

  /**
   * `family` is the one the resolver reported; an address that does not parse
   * as that family is refused rather than guessed at.
   */
  check(hostname: string, address: string, family: number): OutboundDecision {
    if (this.allowList.allowsHostname(hostname)) return ALLOWED;
    const actualFamily = ipFamilyOf(address);
    if (actualFamily === undefined || actualFamily !== family) return { allowed: false, reason: 'invalid' };
    if (this.allowList.allowsAddress(address, actualFamily)) return ALLOWED;
    const addressClass = classifyAddress(address, actualFamily);
    return addressClass === undefined ? ALLOWED : { allowed: false, reason: addressClass };
  }

  /** Throws OutboundAddressRefusedError when `check` refuses. */
  assertAllowed(hostname: string, address: string, family: number): void {
    const decision = this.check(hostname, address, family);
    if (!decision.allowed) throw new OutboundAddressRefusedError(hostname, address, decision.reason);
  }
}
