import type { AgentTool, JsonSchema } from './agent-tool.js';

/**
 * The tools of one turn and the instructions that come with them (skill
 * catalog, memories, fetched instruction sources). Some tools stay hidden
 * until a skill that names them is loaded; `visible()` is asked before every
 * model call, so loading a skill mid-turn reveals its tools to the next call.
 */
export interface Toolset {
  readonly instructions: readonly string[];
  /** Configured tools that cannot run (e.g. built-ins without a provider), reported to the model and the client. */
  readonly unavailable: readonly string[];
  visible(): readonly AgentTool[];
  /** Any tool of the turn by name, visible or not: a call to a hidden tool is refused with a hint, not ignored. */
  find(name: string): AgentTool | undefined;
  /** The knowledge chunks handed to the model so far in the turn, recorded on its reply. */
  knowledge?(): readonly KnowledgeChunkUsed[];
}

/** A knowledge chunk a reply was given (see the knowledge feature's retrieval). */
export interface KnowledgeChunkUsed {
  readonly documentId: string;
  readonly documentName: string;
  readonly collectionId: string;
  readonly position: number;
  readonly score: number;
  readonly content: string;
}

/** A toolset with every tool visible, for agents without skills. */
export function staticToolset(tools: readonly AgentTool[], instructions: readonly string[] = [], unavailable: readonly string[] = []): Toolset {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  return { instructions, unavailable, visible: () => tools, find: (name) => byName.get(name) };
}

export const EMPTY_TOOLSET: Toolset = staticToolset([]);

/** A tool as the OpenAI chat completions `tools` array describes it. */
export function toOpenAiTool(tool: AgentTool): { type: 'function'; function: { name: string; description: string; parameters: JsonSchema } } {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}
