import { z } from 'zod';
import { type AgentTool, type ToolContext, type Toolset, errorResult } from '../tools/index.js';
import type { AgentLookup } from './conversation.service.js';
import type { TurnOutcome } from './turn-runner.js';

export interface SubAgentToolDependencies {
  readonly agents: AgentLookup;
  readonly runChild: (request: { context: ToolContext; agentId: string; message: string }) => Promise<TurnOutcome & { conversationId: string }>;
}

const argumentsSchema = z.object({ message: z.string().trim().min(1, 'must not be empty').max(100_000) });

/** A tool name the providers accept: letters, digits, `_` and `-`, at most 64 characters. */
function toolNameFor(agentName: string, agentId: string): string {
  const base = agentName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `ask_${base || agentId.slice(-8)}`.slice(0, 64);
}

/**
 * One tool per sub-agent. Calling it runs the sub-agent's full turn — its own
 * instructions, tools and model — in a conversation of its own that records
 * its parent, and answers with the sub-agent's reply. Its usage is metered to
 * the sub-agent and added to the calling turn's usage.
 */
export async function subAgentTools(agentIds: readonly string[], context: ToolContext, deps: SubAgentToolDependencies): Promise<AgentTool[]> {
  const tools: AgentTool[] = [];
  const names = new Set<string>();
  for (const agentId of agentIds) {
    // A sub-agent deleted since it was configured is left out, not fatal.
    const agent = await deps.agents(context.orgId, agentId).catch(() => undefined);
    if (!agent) continue;
    let name = toolNameFor(agent.name, agent.id);
    if (names.has(name)) name = `${name.slice(0, 55)}_${agent.id.slice(-8)}`;
    names.add(name);
    tools.push({
      name,
      description: `Ask the agent "${agent.name}" and get its answer.${agent.description ? ` It ${agent.description.replace(/^\w/, (c) => c.toLowerCase())}` : ''} Send everything it needs to know in the message.`,
      parameters: {
        type: 'object',
        properties: { message: { type: 'string', description: 'What to ask or tell the agent, self-contained.' } },
        required: ['message'],
      },
      kind: 'sub-agent',
      requiresApproval: false,
      async execute(args, callContext) {
        const parsed = argumentsSchema.safeParse(args);
        if (!parsed.success) return errorResult(`message: ${parsed.error.issues[0]?.message ?? 'is required'}`);
        const outcome = await deps.runChild({ context: callContext, agentId: agent.id, message: parsed.data.message });
        const structured = { agentId: agent.id, conversationId: outcome.conversationId, status: outcome.status };
        const usage = outcome.message.usage ?? undefined;
        if (outcome.status !== 'completed') {
          return {
            content: JSON.stringify({ error: `The agent "${agent.name}" did not finish (${outcome.status}${outcome.error ? `: ${outcome.error.message}` : ''}).` }),
            isError: true,
            structured,
            ...(usage ? { usage } : {}),
          };
        }
        return { content: outcome.message.content, isError: false, structured, ...(usage ? { usage } : {}) };
      },
    });
  }
  return tools;
}

/** A toolset with more tools, always visible. */
export function withExtraTools(base: Toolset, extra: readonly AgentTool[]): Toolset {
  if (extra.length === 0) return base;
  const byName = new Map(extra.map((tool) => [tool.name, tool]));
  return {
    instructions: base.instructions,
    unavailable: base.unavailable,
    visible: () => [...base.visible(), ...extra],
    find: (name) => base.find(name) ?? byName.get(name),
  };
}
