import type { AgentTool } from '../agent-tool.js';
import { type CalendarToolOptions, calendarTool } from './calendar-tool.js';
import { type MemoryWriter, rememberTool } from './remember-tool.js';
import { type RequestToolOptions, requestTool } from './request-tool.js';

export interface BuiltinToolDependencies {
  readonly memories: MemoryWriter;
  /** The tenant outbound client and the Request tool's limits. */
  readonly request: RequestToolOptions;
  readonly calendar?: CalendarToolOptions;
}

export interface BuiltinTools {
  readonly tools: AgentTool[];
  /** Names the agent enables that have no provider here yet (WebSearch, Code…), or that are unknown. */
  readonly unavailable: string[];
}

/**
 * The agent's built-in functions by their spec names (`builtinFunctionSchema`).
 * Remember, Request and Calendar need no outside service; the others are
 * reported unavailable until a provider for them is configured.
 */
export function builtinTools(names: readonly string[], deps: BuiltinToolDependencies): BuiltinTools {
  const factories: Record<string, () => AgentTool> = {
    Remember: () => rememberTool(deps.memories),
    Request: () => requestTool(deps.request),
    Calendar: () => calendarTool(deps.calendar),
  };
  const tools: AgentTool[] = [];
  const unavailable: string[] = [];
  for (const name of new Set(names)) {
    const factory = Object.hasOwn(factories, name) ? factories[name] : undefined;
    if (factory) tools.push(factory());
    else unavailable.push(name);
  }
  return { tools, unavailable };
}
