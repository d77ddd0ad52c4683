import { z } from 'zod';
import type { ConversationView, MessageView, TurnEvent, TurnState } from '../../features/conversations/index.js';
import type { ServerSentEvent } from '../../platform/http/event-stream.js';

/** The Conversations API's names: snake_case, as conversations-api-v2.5.txt spells `agent_id`. */

export const conversationSchema = z.object({
  id: z.string().describe('Conversation ID.'),
  name: z.string().describe('Conversation name.'),
  agent_id: z.string().describe('ID of the owning agent.'),
  external_user_id: z.string().nullable().describe('Agentry extension: the caller’s id for the end user.'),
  external_user_name: z.string().nullable(),
  channel: z.string().describe('Agentry extension: api, web, email, sms, voice…'),
  status: z.enum(['open', 'ended']),
  metadata: z.record(z.string(), z.unknown()),
  extra_context: z.string().nullable().describe('Text added to the agent’s instructions on every turn.'),
  created_at: z.string(),
  updated_at: z.string(),
});

const usageSchema = z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), cached_tokens: z.number() });
const problemSchema = z.object({ code: z.string(), message: z.string() });

export const messageSchema = z.object({
  id: z.string(),
  conversation_id: z.string(),
  turn_id: z.string().nullable().describe('The turn that wrote the message; null for the agent’s initial message.'),
  role: z.enum(['user', 'assistant', 'tool', 'system']),
  content: z.string(),
  status: z.enum(['queued', 'streaming', 'awaiting_approval', 'completed', 'failed', 'cancelled']),
  model: z.string().nullable().describe('`@<connection>/<model>` that wrote an assistant message.'),
  usage: usageSchema.nullable(),
  latency_ms: z.number().nullable(),
  error: problemSchema.nullable(),
  feedback: z.object({ rating: z.enum(['up', 'down']), comment: z.string().nullable(), created_at: z.string() }).nullable(),
  tool_calls: z
    .array(z.unknown())
    .nullable()
    .describe('Tools the reply called: id, name, arguments, kind (http, mcp, builtin, skill, sub-agent, knowledge), status (completed, failed, pending_approval, approved, rejected), result, isError.'),
  knowledge: z
    .array(
      z.object({
        document_id: z.string(),
        document_name: z.string(),
        collection_id: z.string(),
        position: z.number().int().describe('The chunk’s place in its document, from 0.'),
        score: z.number(),
        content: z.string(),
      }),
    )
    .nullable()
    .describe('The knowledge passages the reply was given (retrieval from the agent’s collections); null when none were.'),
  file_ids: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
});

export const turnSchema = z.object({
  id: z.string(),
  conversation_id: z.string(),
  status: z.enum(['queued', 'running', 'awaiting_approval', 'completed', 'failed', 'cancelled']),
  user_message_id: z.string(),
  message_id: z.string().describe('The assistant message the turn writes.'),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});

export function paginated<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    next: z.string().nullable().describe('Token for the next page; null on the last page.'),
  });
}

export function conversationShape(view: ConversationView): z.infer<typeof conversationSchema> {
  return {
    id: view.id,
    name: view.name,
    agent_id: view.agentId,
    external_user_id: view.externalUserId,
    external_user_name: view.externalUserName,
    channel: view.channel,
    status: view.status,
    metadata: view.metadata,
    extra_context: view.extraContext,
    created_at: view.createdAt,
    updated_at: view.updatedAt,
  };
}

export function messageShape(view: MessageView): z.infer<typeof messageSchema> {
  return {
    id: view.id,
    conversation_id: view.conversationId,
    turn_id: view.turnId,
    role: view.role,
    content: view.content,
    status: view.status,
    model: view.model,
    usage: view.usage ? { prompt_tokens: view.usage.promptTokens, completion_tokens: view.usage.completionTokens, cached_tokens: view.usage.cachedTokens } : null,
    latency_ms: view.latencyMs,
    error: view.error,
    feedback: view.feedback ? { rating: view.feedback.rating, comment: view.feedback.comment, created_at: view.feedback.createdAt } : null,
    tool_calls: view.toolCalls,
    knowledge: view.knowledge
      ? view.knowledge.map((chunk) => ({
          document_id: chunk.documentId,
          document_name: chunk.documentName,
          collection_id: chunk.collectionId,
          position: chunk.position,
          score: chunk.score,
          content: chunk.content,
        }))
      : null,
    file_ids: view.fileIds,
    created_at: view.createdAt,
    updated_at: view.updatedAt,
  };
}

export function turnShape(state: TurnState): z.infer<typeof turnSchema> {
  return {
    id: state.id,
    conversation_id: state.conversationId,
    status: state.status,
    user_message_id: state.userMessageId,
    message_id: state.assistantMessageId,
    created_at: state.createdAt,
    finished_at: state.finishedAt,
  };
}

/**
 * Deltas are unnamed events whose data is the raw text, so an EventSource's
 * `message` handler concatenates them into the reply; the opening `turn` and
 * closing `done` events are named and carry JSON.
 */
export function turnEventShape(event: TurnEvent): ServerSentEvent {
  switch (event.type) {
    case 'turn':
      return {
        id: event.id,
        event: 'turn',
        data: JSON.stringify({
          turn_id: event.turnId,
          conversation_id: event.conversationId,
          user_message_id: event.userMessageId,
          message_id: event.assistantMessageId,
        }),
      };
    case 'delta':
      return { id: event.id, data: event.content };
    case 'tool':
      return { id: event.id, event: event.event, data: JSON.stringify(event.call) };
    case 'done':
      return {
        id: event.id,
        event: 'done',
        data: JSON.stringify({
          turn_id: event.turnId,
          message_id: event.messageId,
          status: event.status,
          usage: event.usage
            ? { prompt_tokens: event.usage.promptTokens, completion_tokens: event.usage.completionTokens, cached_tokens: event.usage.cachedTokens }
            : null,
          error: event.error,
        }),
      };
  }
}
