export type ConversationStatus = 'open' | 'ended';

export interface ConversationsTable {
  id: string;
  org_id: string;
  agent_id: string;
  name: string;
  external_user_id: string | null;
  external_user_name: string | null;
  /** JSON object: how the user can be reached (email, phone, first and last name…). */
  user_identifiers: string;
  channel: string;
  /** JSON object supplied by the client, returned as sent. */
  metadata: string;
  /** Text added to the agent's instructions for every turn of this conversation. */
  extra_context: string | null;
  status: ConversationStatus;
  last_seq: number;
  created_at: string;
  updated_at: string;
}

export type MessageRole = 'user' | 'assistant' | 'tool' | 'system';
/** `queued` and `streaming` are transient states of the assistant message of a running turn. */
export type MessageStatus = 'queued' | 'streaming' | 'awaiting_approval' | 'completed' | 'failed' | 'cancelled';

export interface MessagesTable {
  id: string;
  org_id: string;
  conversation_id: string;
  seq: number;
  turn_id: string | null;
  role: MessageRole;
  /** The text of the message (for a user message with files, the text the user typed). */
  content: string;
  /** JSON array of OpenAI content parts when the message is more than text. */
  parts: string | null;
  tool_calls: string | null;
  tool_call_id: string | null;
  file_ids: string | null;
  model: string | null;
  usage: string | null;
  latency_ms: number | null;
  status: MessageStatus;
  error: string | null;
  feedback: string | null;
  /** JSON array of the knowledge chunks the reply was given; null when none were. */
  knowledge: string | null;
  token_estimate: number;
  created_at: string;
  updated_at: string;
}

export type TurnStatus = 'queued' | 'running' | 'awaiting_approval' | 'completed' | 'failed' | 'cancelled';

export interface TurnsTable {
  id: string;
  org_id: string;
  conversation_id: string;
  user_message_id: string;
  assistant_message_id: string;
  status: TurnStatus;
  /** 0/1: set by a cancel from any node; the node running the turn sees it at its next flush. */
  cancel_requested: number;
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}
