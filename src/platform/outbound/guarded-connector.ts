import { buildConnector } from 'undici';
import { createGuardedLookup } from './guarded-lookup.js';
import type { OutboundPolicy } from './outbound-policy.js';
import { refusalForIpLiteral } from './outbound-url.js';

export interface GuardedConnectorOptions {
  readonly connectTimeoutMs: number;
}

/**
 * An undici connector that enforces the policy on every connection the agent
 * opens, whichever API dispatched it (`request`, `stream`, `pipeline`, a
 * redirect). Names are checked in `lookup`; IP literals never reach `lookup`
 * (net.connect skips it for them), so they are checked here before connecting.
 */
export function createGuardedConnector(policy: OutboundPolicy, options: GuardedConnectorOptions): buildConnector.connector {
  const connect = buildConnector({ timeout: options.connectTimeoutMs, lookup: createGuardedLookup(policy) });
  return (connectOptions, callback) => {
    const refusal = refusalForIpLiteral(policy, connectOptions.hostname);
    if (refusal) {
      // undici expects the connector to answer asynchronously, as a socket would.
      queueMicrotask(() => callback(refusal, null));
      return;
    }
    connect(connectOptions, callback);
  };
}
