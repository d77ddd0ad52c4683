export { AGENT_FILE_TEXT_LIMIT, AgentFileService, type AgentFileServiceDependencies, type AgentFileUpload } from './agent-file.service.js';
export { ACCEPTED_AGENT_FILE_TYPES } from './agent-file-errors.js';
export {
  agentFileIdParams,
  agentFileListQuery,
  agentFilePageSchema,
  agentFileStatusSchema,
  agentFileViewSchema,
  uploadAgentFileBody,
  type AgentFileListQuery,
  type AgentFileView,
} from './agent-file.schemas.js';
