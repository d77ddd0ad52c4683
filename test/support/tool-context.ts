import type { ToolContext } from '../../src/features/tools/index.js';

/** The turn a tool is called from, as the tool loop would describe it. */
export function toolContext(orgId: string, overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    orgId,
    agentId: 'agent-1',
    conversationId: 'conversation-1',
    externalUserId: 'user-7',
    timeZone: null,
    signal: new AbortController().signal,
    depth: 0,
    caller: { orgId, keyId: null, keyLabel: 'test', keyLimits: { requestsPerMinute: null, tokensPerDay: null } },
    actor: { orgId, keyId: null, keyLabel: 'test', agentId: null, correlationId: 'test' },
    ...overrides,
  };
}
