import { createFetchFor } from '../../src/features/inference/index.js';
import { ExternalToolSources, type ToolSourceLimits } from '../../src/features/tools/index.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { OutboundPolicy, createOutboundClient } from '../../src/platform/outbound/index.js';

export interface DirectToolSources {
  readonly sources: ExternalToolSources;
  close(): Promise<void>;
}

export interface DirectToolSourcesOptions {
  /** AGENTRY_OUTBOUND_ALLOW as the operator would set it; none refuses loopback, like production. */
  readonly allow?: string;
  readonly limits?: Partial<ToolSourceLimits>;
  readonly orgSalt?: (orgId: string) => Promise<string>;
}

/** ExternalToolSources built as the container builds it, with real guarded outbound clients and chosen limits. */
export function directToolSources(options: DirectToolSourcesOptions = {}): DirectToolSources {
  const policy = OutboundPolicy.fromSetting(options.allow);
  const tenant = createOutboundClient({ policy, connectTimeoutMs: 2_000 });
  const operator = createOutboundClient({ policy, trusted: true });
  const sources = new ExternalToolSources({
    outbound: tenant,
    fetchFor: createFetchFor({ tenant: tenant.dispatcher, operator: operator.dispatcher }),
    orgSalt: options.orgSalt ?? (() => Promise.resolve('test-salt')),
    logger: createLogger('silent'),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  return {
    sources,
    close: async () => {
      await Promise.all([tenant.close(), operator.close()]);
    },
  };
}
