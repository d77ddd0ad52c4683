export { type AddressClass, describeAddressClass } from './address-classes.js';
export { assertOutboundUrl } from './assert-outbound-url.js';
export { type BodyTap, type BufferedResponse, ERROR_BODY_BYTES, type StreamedResponse, type TappableBody, readWhole } from './dispatched-response.js';
export { createOutboundClient, type OutboundClient, type OutboundClientOptions, type OutboundRequestOptions } from './outbound-client.js';
export { InvalidOutboundUrlError, type InvalidOutboundUrlReason, OutboundAddressRefusedError } from './outbound-errors.js';
export { OutboundAllowList, parseOutboundAllowList } from './outbound-allow-list.js';
export { type OutboundDecision, OutboundPolicy } from './outbound-policy.js';
export { parseOutboundUrl } from './outbound-url.js';
