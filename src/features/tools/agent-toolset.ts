import { z } from 'zod';
import type { Logger } from '../../platform/logging/logger.js';
import type { ResolvedAiGateway } from '../ai-gateways/index.js';
import type { MemoryView } from '../memories/index.js';
import type { SkillDefinition } from '../skills/index.js';
import { type AgentTool, type ToolContext, errorResult } from './agent-tool.js';
import type { BuiltinTools } from './builtins/index.js';
import type { ExternalToolSources } from './external-tool-sources.js';
import type { KnowledgeChunkUsed, Toolset } from './toolset.js';

/** The knowledge retrieval of one turn (the knowledge feature's `retrieveForTurn`, bound to its services). */
export type TurnKnowledgeProvider = (request: {
  orgId: string;
  agentId: string;
  caller: ToolContext['caller'];
  conversationId: string | null;
  /** The turn's own user message: retrieval reads the conversation up to it. */
  throughSeq: number | null;
  userText: string;
  settings: ResolvedAiGateway['parameters'] & { dataSourceCollections?: ResolvedAiGateway['profile']['dataSourceCollections'] };
  signal: AbortSignal;
}) => Promise<
  | {
      readonly instructions: readonly string[];
      readonly tool: { name: string; description: string; parameters: Record<string, unknown>; run(query: string): Promise<string> } | undefined;
      used(): readonly KnowledgeChunkUsed[];
    }
  | undefined
>;

export interface AgentToolsetDependencies {
  readonly resolveAgent: (orgId: string, agentId: string) => Promise<ResolvedAiGateway>;
  readonly external: Pick<ExternalToolSources, 'toolsFor' | 'instructionsFor'>;
  readonly builtins: (names: readonly string[]) => BuiltinTools;
  readonly skills: (orgId: string, slugs: readonly string[]) => Promise<SkillDefinition[]>;
  readonly memories: (orgId: string, externalUserId: string, options: { query: string; includeAll: boolean }) => Promise<MemoryView[]>;
  readonly memoryContext: (memories: readonly MemoryView[]) => string;
  /** Retrieval from the agent's knowledge collections; none when unset. */
  readonly knowledge?: TurnKnowledgeProvider;
  readonly logger: Logger;
}

export interface ToolsetRequest {
  readonly orgId: string;
  readonly agentId: string;
  readonly context: ToolContext;
  /** The user's message, to pick the memories that matter. */
  readonly userText: string;
}

const LOAD_SKILL = 'load_skill';
/** Skill instruction sources are cached like instruction sources without a cacheDuration of their own. */
const SKILL_SOURCE_CACHE_SECONDS = 300;

/** `parameters.skills` holds slugs, or objects naming one (the spec types the items as `any`). */
function skillSlugs(skills: readonly unknown[] | undefined): string[] {
  return (skills ?? []).flatMap((item) => {
    if (typeof item === 'string') return [item];
    if (item && typeof item === 'object' && typeof (item as { slug?: unknown }).slug === 'string') return [(item as { slug: string }).slug];
    return [];
  });
}

function skillCatalog(skills: readonly SkillDefinition[]): string {
  const lines = skills.map((skill) => `- ${skill.slug}: ${skill.description ?? skill.name}`);
  return `You have skills: detailed instructions for particular tasks. Before working on such a task, load the matching skill with the ${LOAD_SKILL} tool and follow what it says.\n${lines.join('\n')}`;
}

/**
 * Builds an agent's tools for one turn: built-in functions, HTTP callbacks
 * and MCP tools from its parameters, and `load_skill` for its skills — plus
 * the instructions that go with them (skill catalog, the user's memories,
 * fetched instruction sources, tools that are configured but unavailable).
 * Tools a skill names stay hidden until that skill is loaded when the agent
 * sets `hideToolsWithoutSkill`, except `alwaysVisibleTools`.
 */
export function createAgentToolsetProvider(deps: AgentToolsetDependencies): (request: ToolsetRequest) => Promise<Toolset> {
  return async ({ orgId, agentId, context, userText }) => {
    const agent = await deps.resolveAgent(orgId, agentId);
    const { parameters } = agent;
    const builtin = deps.builtins(parameters.sentinelOptions?.enabledFunctions ?? []);
    const [external, sourceTexts, skills, memories, knowledge] = await Promise.all([
      deps.external.toolsFor(orgId, parameters, { signal: context.signal, reservedNames: builtin.tools.map((tool) => tool.name) }),
      deps.external.instructionsFor(orgId, parameters, { signal: context.signal }),
      deps.skills(orgId, skillSlugs(parameters.skills)),
      context.externalUserId
        ? deps.memories(orgId, context.externalUserId, { query: userText, includeAll: parameters.builtinFunctionsOptions?.includeAllMemoryContext ?? false })
        : Promise.resolve([]),
      deps.knowledge?.({
        orgId,
        agentId,
        caller: context.caller,
        throughSeq: context.userMessageSeq ?? null,
        conversationId: context.conversationId,
        userText,
        settings: { ...parameters, dataSourceCollections: agent.profile.dataSourceCollections },
        signal: context.signal,
      }),
    ]);
    if (external.problems.length > 0) deps.logger.warn({ agentId, problems: external.problems }, 'some of the agent’s tools are unavailable');

    const loaded = new Set<string>();
    const tools: AgentTool[] = [...builtin.tools, ...external.tools];
    if (skills.length > 0) tools.push(loadSkillTool(skills, loaded, deps, orgId));
    if (knowledge?.tool) tools.push(knowledgeTool(knowledge.tool));
    const byName = new Map(tools.map((tool) => [tool.name, tool]));

    const gated = new Map<string, string[]>();
    if (parameters.hideToolsWithoutSkill) {
      const alwaysVisible = new Set(parameters.alwaysVisibleTools ?? []);
      for (const skill of skills) {
        for (const name of skill.allowedToolsNames) {
          if (!alwaysVisible.has(name)) gated.set(name, [...(gated.get(name) ?? []), skill.slug]);
        }
      }
    }
    const isVisible = (tool: AgentTool) => {
      const revealedBy = gated.get(tool.name);
      return !revealedBy || revealedBy.some((slug) => loaded.has(slug));
    };

    const instructions: string[] = [...sourceTexts, ...(knowledge?.instructions ?? [])];
    if (skills.length > 0) instructions.push(skillCatalog(skills));
    const remembered = deps.memoryContext(memories);
    if (remembered) instructions.push(remembered);
    if (builtin.unavailable.length > 0) {
      instructions.push(`These functions are configured but unavailable until a provider is set up; do not offer them: ${builtin.unavailable.join(', ')}.`);
    }
    return {
      instructions,
      unavailable: builtin.unavailable,
      visible: () => tools.filter(isVisible),
      find: (name) => byName.get(name),
      knowledge: () => knowledge?.used() ?? [],
    };
  };
}

const searchArguments = z.object({ query: z.string().trim().min(1).max(4_000) });

function knowledgeTool(definition: NonNullable<Awaited<ReturnType<TurnKnowledgeProvider>>>['tool'] & object): AgentTool {
  return {
    name: definition.name,
    description: definition.description,
    parameters: definition.parameters,
    kind: 'knowledge',
    requiresApproval: false,
    async execute(args) {
      const parsed = searchArguments.safeParse(args);
      if (!parsed.success) return errorResult('query: must be a non-empty string of at most 4,000 characters.');
      return { content: await definition.run(parsed.data.query), isError: false };
    },
  };
}

function loadSkillTool(skills: readonly SkillDefinition[], loaded: Set<string>, deps: AgentToolsetDependencies, orgId: string): AgentTool {
  const slugs = skills.map((skill) => skill.slug);
  const argumentsSchema = z.object({ slug: z.enum(slugs as [string, ...string[]]) });
  return {
    name: LOAD_SKILL,
    description: 'Loads the instructions of one of your skills (and reveals the tools it uses). Load a skill before working on a task it covers.',
    parameters: { type: 'object', properties: { slug: { type: 'string', enum: slugs, description: 'The skill to load.' } }, required: ['slug'] },
    kind: 'skill',
    requiresApproval: false,
    async execute(args, context) {
      const parsed = argumentsSchema.safeParse(args);
      if (!parsed.success) return errorResult(`slug: must be one of ${slugs.join(', ')}`);
      const skill = skills.find((candidate) => candidate.slug === parsed.data.slug) as SkillDefinition;
      const sources = await deps.external.instructionsFor(
        orgId,
        {
          systemInstructionsSources: skill.instructionSourceDetails.map((source) => ({
            ...source,
            cacheDuration: source.cacheDuration ?? SKILL_SOURCE_CACHE_SECONDS,
          })),
        },
        { signal: context.signal },
      );
      loaded.add(skill.slug);
      const revealed = skill.allowedToolsNames.length > 0 ? `\n\nTools now available for this skill: ${skill.allowedToolsNames.join(', ')}.` : '';
      return { content: [skill.instructions, ...sources].join('\n\n') + revealed, isError: false, structured: { slug: skill.slug } };
    },
  };
}
