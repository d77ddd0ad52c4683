import { AppError, type AppErrorOptions } from '../errors.js';
import { type AddressClass, describeAddressClass } from './address-classes.js';

/**
 * A tenant-driven outbound call would reach an address the policy refuses.
 * The message names host, address and class so the tenant can see why and the
 * operator knows which setting opens it.
 */
export class OutboundAddressRefusedError extends AppError {
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly addressClass: AddressClass,
  ) {
    super(
      'forbidden',
      'outbound_address_refused',
      `Refused to connect to ${address} (${describeAddressClass(addressClass)}) for host "${hostname}": ` +
        'blocked by the outbound address policy; an operator can allow it with AGENTRY_OUTBOUND_ALLOW.',
      { details: { host: hostname, address, addressClass } },
    );
  }
}

export type InvalidOutboundUrlReason = 'unparsable' | 'unsupported_scheme' | 'credentials' | 'unresolvable';

/**
 * The URL itself is unusable for outbound calls. Messages never repeat the URL,
 * which may carry a secret (a password, a token in the query).
 */
export class InvalidOutboundUrlError extends AppError {
  constructor(
    readonly reason: InvalidOutboundUrlReason,
    message: string,
    options: Pick<AppErrorOptions, 'cause'> = {},
  ) {
    super('invalid', 'invalid_outbound_url', message, { details: { reason }, ...options });
  }
}
