export { type AgentTool, type JsonSchema, type ToolContext, type ToolKind, type ToolResult, errorResult, jsonResult } from './agent-tool.js';
export {
  DEFAULT_TOOL_SOURCE_LIMITS,
  ExternalToolSources,
  type ExternalTools,
  type ExternalToolSourcesDependencies,
  type InstructionSourceParameters,
  type ToolSourceLimits,
  type ToolSourceOptions,
  type ToolSourceParameters,
} from './external-tool-sources.js';
export { SIGNATURE_HEADER, TIMESTAMP_HEADER, callbackSignature } from './callback-signature.js';
export type { CallbackEnvelope } from './http-callback-tool.js';
export { MAX_TOOL_NAME_LENGTH, safeToolName } from './tool-name.js';
export { EMPTY_TOOLSET, staticToolset, toOpenAiTool, type Toolset } from './toolset.js';
