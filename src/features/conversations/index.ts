export {
  ConversationService,
  type AgentLookup,
  type AgentUser,
  type ConversationAgent,
  type NewConversation,
} from './conversation.service.js';
export type { ConversationView, MessageView, MessageUsage, MessageFeedback, MessageError } from './conversation.views.js';
export {
  TurnRunner,
  type PendingApproval,
  type ToolsetProvider,
  type TurnFile,
  type TurnHandle,
  type TurnOutcome,
  type TurnRequest,
  type TurnState,
} from './turn-runner.js';
export type { ToolCallRecord, ToolCallStatus, ToolStep } from './tool-steps.js';
export { runAgentLoop, type AgentLoopOutcome, type CompleteChat } from './agent-loop.js';
export { type TurnEvent, type TurnEndStatus, parseEventId } from './turn-events.js';
export type { AgentUserOrder } from './conversation.repository.js';
export { AgentCompletions } from './agent-completions.js';
