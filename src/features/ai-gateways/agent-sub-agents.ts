import type { DatabaseHandle } from '../../platform/db/database.js';
import { type FieldProblem, ValidationError } from '../../platform/errors.js';
import { findExistingAiGatewayIds } from './ai-gateway.repository.js';

/**
 * Sub-agents must be other agents of the same organization, each named once.
 * Cycles (A delegates to B, B to A) are allowed here: the runtime bounds
 * delegation depth, and refusing them would make the order of edits matter.
 */
export async function assertSubAgents(
  db: DatabaseHandle,
  orgId: string,
  selfId: string | null,
  subAgents: readonly string[] | undefined,
  field: string,
): Promise<void> {
  if (!subAgents || subAgents.length === 0) return;
  const existing = await findExistingAiGatewayIds(db, orgId, subAgents);
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  subAgents.forEach((id, index) => {
    const at = `${field}.${index}`;
    if (id === selfId) problems.push({ field: at, rule: 'self_reference', message: 'an agent cannot be its own sub-agent' });
    else if (seen.has(id)) problems.push({ field: at, rule: 'duplicate', message: `'${id}' is listed twice` });
    else if (!existing.has(id)) problems.push({ field: at, rule: 'not_found', message: `'${id}' is not an agent of the organization` });
    seen.add(id);
  });
  if (problems.length > 0) throw new ValidationError(problems);
}
