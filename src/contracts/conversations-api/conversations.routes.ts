import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type ConversationService, type TurnRunner, parseEventId } from '../../features/conversations/index.js';
import { AppError, NotFoundError } from '../../platform/errors.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { eventStream } from '../../platform/http/event-stream.js';
import { SSE_HEADERS } from '../../platform/http/sse-relay.js';
import { cursorPageQuery } from '../../platform/paging.js';
import { callerOf } from '../shared/callers.js';
import { type Principal, actorOf, principalOf, requireAgentAccess } from '../shared/authentication.js';
import { authenticatedErrors, errorBodySchema, notFoundError } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';
import {
  conversationSchema,
  conversationShape,
  messageSchema,
  messageShape,
  paginated,
  turnEventShape,
  turnSchema,
  turnShape,
} from './conversation-shapes.js';

export interface ConversationRoutesDependencies {
  readonly conversations: ConversationService;
  readonly turns: TurnRunner;
  readonly ssePingIntervalMs: number;
}

const tags = ['Conversations API'];
const security = contractSecurity.conversations;
const BASE = '/tenants/:tenantId/api/v2/agents/:aid/conversations';

const agentParams = z.object({
  tenantId: z.string().max(64).describe('The organization id; it must be the key’s organization, else 404.'),
  aid: z.string().max(64).describe('Agent ID.'),
});
const conversationParams = agentParams.extend({ cid: z.string().max(64).describe('Conversation ID.') });
const turnParams = conversationParams.extend({ turnId: z.string().max(64).describe('Turn ID, from the `turn` event of a stream.') });
const messageParams = conversationParams.extend({ messageId: z.string().max(64) });

const createBody = z.object({
  name: z.string().trim().min(1).max(500).describe('Conversation name.'),
  external_user_id: z.string().min(1).max(200).optional().describe('Agentry extension: the caller’s id for the end user.'),
  external_user_name: z.string().max(500).optional(),
  channel: z.string().min(1).max(50).optional().describe('Agentry extension: api (default), web, email, sms, voice…'),
  metadata: z.record(z.string(), z.unknown()).optional(),
  extra_context: z.string().max(100_000).optional().describe('Text added to the agent’s instructions on every turn.'),
});
const postBody = z.object({
  content: z.string().min(1).max(500_000).describe('The message text.'),
  file_ids: z.array(z.string().max(64)).max(20).optional().describe('Agentry extension: files uploaded with POST /api/v1/File whose content joins this turn.'),
});
const feedbackBody = z.object({
  rating: z.enum(['up', 'down']),
  comment: z.string().max(10_000).optional(),
});
const listQuery = cursorPageQuery.extend({
  external_user_id: z.string().max(200).optional().describe('Agentry extension: only this end user’s conversations.'),
});
const lastEventIdHeader = z.object({
  'last-event-id': z.string().max(200).optional().describe('Resume after this event id (`<turnId>:<position>`).'),
});
const postedStateSchema = z.object({
  conversation: conversationSchema,
  turn: turnSchema,
  messages: z.array(messageSchema).describe('The user message and the agent’s reply.'),
});

/** `tenantId` must name the key's organization; anything else is as good as missing. */
function scoped(request: FastifyRequest, params: { tenantId: string; aid: string }): Principal {
  const principal = principalOf(request);
  if (params.tenantId !== principal.orgId) throw new NotFoundError('Tenant', params.tenantId);
  requireAgentAccess(principal, params.aid);
  return principal;
}

/** Posts the request's message to its conversation, as the synchronous and the streamed route both do. */
function startTurnWith(turns: TurnRunner) {
  return (request: FastifyRequest, principal: Principal, params: { cid: string; aid: string }, body: z.infer<typeof postBody>) =>
    turns.start({
      actor: actorOf(request),
      caller: callerOf(principal),
      conversationId: params.cid,
      agentId: params.aid,
      content: body.content,
      fileIds: body.file_ids ?? [],
    });
}

function problemEvent(error: unknown) {
  const problem = error instanceof AppError ? { code: error.code, message: error.message } : { code: 'internal_error', message: 'The stream failed.' };
  return { event: 'error', data: JSON.stringify(problem) };
}

const STREAM_DESCRIPTION =
  'Server-Sent Events. The first event (`event: turn`) names the turn, the user message and the reply message; then unnamed events whose `data:` is a piece of the reply text (concatenate them, joining the lines of one event with newlines, as EventSource does); the last event (`event: done`) carries the message id, status (completed, failed, cancelled), usage and any error. Every event has an `id:` (`<turnId>:<position>`); a keep-alive comment is sent during silence. ' +
  'The turn runs detached from this connection: if the client goes away it still completes and is stored, and the client can re-attach with GET …/turns/{turnId}/stream and `Last-Event-ID` to receive the rest. ' +
  'Messages posted at once to one conversation are processed one after the other in the order accepted.';

export function registerConversationRoutes(app: AppInstance, deps: ConversationRoutesDependencies): void {
  const startTurn = startTurnWith(deps.turns);
  const streamTurn = (reply: FastifyReply, orgId: string, conversationId: string, turnId: string, after?: number | 'end') =>
    reply.headers(SSE_HEADERS).send(
      eventStream(
        async function* (signal) {
          for await (const event of deps.turns.events(orgId, conversationId, turnId, after, signal)) yield turnEventShape(event);
        },
        { pingIntervalMs: deps.ssePingIntervalMs, onError: problemEvent },
      ),
    );

  app.get(
    BASE,
    {
      schema: {
        tags,
        security,
        summary: 'List conversations',
        description: 'Conversations of the agent, newest first, as a PaginatedResponse (`data`, `next`).',
        params: agentParams,
        querystring: listQuery,
        response: { 200: paginated(conversationSchema), ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = scoped(request, request.params);
      const page = await deps.conversations.list(principal.orgId, request.params.aid, {
        limit: request.query.limit,
        ...(request.query.next === undefined ? {} : { next: request.query.next }),
        ...(request.query.external_user_id === undefined ? {} : { externalUserId: request.query.external_user_id }),
      });
      return { data: page.data.map(conversationShape), next: page.next };
    },
  );

  app.post(
    BASE,
    {
      schema: {
        tags,
        security,
        summary: 'Create conversation',
        description: 'Opens a conversation with the agent. When the agent has an initial message, it is the conversation’s first message.',
        params: agentParams,
        body: createBody,
        response: { 200: conversationSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      scoped(request, request.params);
      const body = request.body;
      const created = await deps.conversations.create(actorOf(request), request.params.aid, {
        name: body.name,
        externalUserId: body.external_user_id ?? null,
        externalUserName: body.external_user_name ?? null,
        ...(body.channel === undefined ? {} : { channel: body.channel }),
        ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
        extraContext: body.extra_context ?? null,
      });
      return conversationShape(created);
    },
  );

  app.get(
    `${BASE}/:cid`,
    {
      schema: {
        tags,
        security,
        summary: 'Get conversation',
        description: 'Agentry extension: one conversation.',
        params: conversationParams,
        response: { 200: conversationSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = scoped(request, request.params);
      return conversationShape(await deps.conversations.get(principal.orgId, request.params.cid, request.params.aid));
    },
  );

  app.delete(
    `${BASE}/:cid`,
    {
      schema: {
        tags,
        security,
        summary: 'Delete conversation',
        description: 'Deletes a conversation with its messages (stopping a turn still running) and returns the deleted Conversation.',
        params: conversationParams,
        response: { 200: conversationSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      scoped(request, request.params);
      return conversationShape(await deps.conversations.delete(actorOf(request), request.params.cid, request.params.aid));
    },
  );

  app.get(
    `${BASE}/:cid/messages`,
    {
      schema: {
        tags,
        security,
        summary: 'Get messages',
        description: 'The conversation’s messages, oldest first, as a PaginatedResponse (`data`, `next`). A reply still being written shows with status `queued` or `streaming`.',
        params: conversationParams,
        querystring: cursorPageQuery,
        response: { 200: paginated(messageSchema), ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = scoped(request, request.params);
      const page = await deps.conversations.messages(principal.orgId, request.params.cid, {
        limit: request.query.limit,
        agentId: request.params.aid,
        ...(request.query.next === undefined ? {} : { next: request.query.next }),
      });
      return { data: page.data.map(messageShape), next: page.next };
    },
  );

  app.post(
    `${BASE}/:cid/messages`,
    {
      schema: {
        tags,
        security,
        summary: 'Post a message (synchronous)',
        description:
          'Posts a user message and waits for the agent to respond, returning the updated conversation state: the conversation, the turn, and the user message with the reply. The user message is stored before the model is called; if the provider fails, the reply is stored as failed, the error is returned (502, 504…), and the conversation stays usable.',
        params: conversationParams,
        body: postBody,
        response: { 200: postedStateSchema, ...authenticatedErrors, ...notFoundError, 502: errorBodySchema, 504: errorBodySchema },
      },
    },
    async (request) => {
      const principal = scoped(request, request.params);
      const handle = await startTurn(request, principal, request.params, request.body);
      const outcome = await handle.outcome;
      if (outcome.error) throw outcome.error;
      return {
        conversation: conversationShape(handle.conversation),
        turn: turnShape(outcome.turn),
        messages: [messageShape(handle.userMessage), messageShape(outcome.message)],
      };
    },
  );

  app.post(
    `${BASE}/:cid/stream`,
    {
      schema: {
        tags,
        security,
        summary: 'Stream a message',
        description: `Posts a message and streams the reply. ${STREAM_DESCRIPTION} A request that carries \`Last-Event-ID\` of a turn of this conversation re-attaches to that turn instead of posting again, so an EventSource that reconnects does not send the message twice.`,
        params: conversationParams,
        headers: lastEventIdHeader,
        body: postBody,
        response: { ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request, reply) => {
      const principal = scoped(request, request.params);
      const resume = parseEventId(request.headers['last-event-id']);
      if (resume) {
        await deps.turns.turn(principal.orgId, request.params.cid, resume.turnId);
        return streamTurn(reply, principal.orgId, request.params.cid, resume.turnId, resume.position);
      }
      const handle = await startTurn(request, principal, request.params, request.body);
      return streamTurn(reply, principal.orgId, handle.conversationId, handle.turnId);
    },
  );

  app.get(
    `${BASE}/:cid/turns/:turnId`,
    {
      schema: {
        tags,
        security,
        summary: 'Get a turn',
        description: 'Agentry extension: the state of a turn (queued, running, completed, failed, cancelled).',
        params: turnParams,
        response: { 200: turnSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = scoped(request, request.params);
      await deps.conversations.get(principal.orgId, request.params.cid, request.params.aid);
      return turnShape(await deps.turns.turn(principal.orgId, request.params.cid, request.params.turnId));
    },
  );

  app.get(
    `${BASE}/:cid/turns/:turnId/stream`,
    {
      schema: {
        tags,
        security,
        summary: 'Re-attach to a turn’s stream',
        description: `Agentry extension: the events of a running or finished turn, from the start or after \`Last-Event-ID\`. ${STREAM_DESCRIPTION}`,
        params: turnParams,
        headers: lastEventIdHeader,
        response: { ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request, reply) => {
      const principal = scoped(request, request.params);
      await deps.conversations.get(principal.orgId, request.params.cid, request.params.aid);
      await deps.turns.turn(principal.orgId, request.params.cid, request.params.turnId);
      const resume = parseEventId(request.headers['last-event-id']);
      const after = resume && resume.turnId === request.params.turnId ? resume.position : undefined;
      return streamTurn(reply, principal.orgId, request.params.cid, request.params.turnId, after);
    },
  );

  app.delete(
    `${BASE}/:cid/turns/:turnId`,
    {
      schema: {
        tags,
        security,
        summary: 'Cancel a turn',
        description:
          'Agentry extension: stops an in-flight turn, from any node. What the model produced so far is kept, marked cancelled. A turn that already ended is returned as it is.',
        params: turnParams,
        response: { 200: turnSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      scoped(request, request.params);
      await deps.conversations.get(request.params.tenantId, request.params.cid, request.params.aid);
      const [state] = await deps.turns.cancel(actorOf(request), request.params.cid, request.params.turnId);
      if (!state) throw new NotFoundError('Turn', request.params.turnId);
      return turnShape(state);
    },
  );

  app.post(
    `${BASE}/:cid/cancel`,
    {
      schema: {
        tags,
        security,
        summary: 'Cancel the running turns',
        description: 'Agentry extension: stops every queued or running turn of the conversation, keeping what was produced, marked cancelled.',
        params: conversationParams,
        response: { 200: z.object({ cancelled: z.array(turnSchema) }), ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      scoped(request, request.params);
      await deps.conversations.get(request.params.tenantId, request.params.cid, request.params.aid);
      const cancelled = await deps.turns.cancel(actorOf(request), request.params.cid);
      return { cancelled: cancelled.map(turnShape) };
    },
  );

  app.post(
    `${BASE}/:cid/messages/:messageId/feedback`,
    {
      schema: {
        tags,
        security,
        summary: 'Give feedback on a message',
        description: 'Rates an assistant message `up` or `down` with an optional comment; stored and returned with the message. The agent must enable feedback (`enableFeedback`), else 403. Sending feedback again replaces it.',
        params: messageParams,
        body: feedbackBody,
        response: { 200: messageSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      scoped(request, request.params);
      const message = await deps.conversations.giveFeedback(
        actorOf(request),
        request.params.cid,
        request.params.messageId,
        { rating: request.body.rating, comment: request.body.comment ?? null },
        request.params.aid,
      );
      return messageShape(message);
    },
  );
}
