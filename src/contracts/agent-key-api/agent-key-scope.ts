import { ForbiddenError } from '../../platform/errors.js';
import type { Principal } from '../shared/authentication.js';

/**
 * The agent an Agent-key route acts on: the one the key is scoped to. An
 * organization-wide key is valid but names no agent, so it is refused with 403
 * (not 401, which would suggest the key itself is wrong).
 */
export function agentOfKey(principal: Principal): string {
  if (principal.agentId === null) {
    throw new ForbiddenError(
      'This route acts on the agent of the key: send an agent-scoped key as Agent-Secret-Key (create one with POST /api/v1/Agent/{agentId}/api-keys).',
      'agent_key_required',
    );
  }
  return principal.agentId;
}
