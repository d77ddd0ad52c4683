import type { Caller } from '../../features/inference/index.js';
import type { Principal } from './authentication.js';

/** The inference caller a request's key makes: the key's limits and its usage attribution. */
export function callerOf(principal: Principal): Caller {
  return { orgId: principal.orgId, keyId: principal.keyId, keyLabel: principal.keyLabel, keyLimits: principal.limits };
}
