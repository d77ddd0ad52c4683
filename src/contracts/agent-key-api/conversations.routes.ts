import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ConversationService, ConversationView, MessageView, TurnRunner } from '../../features/conversations/index.js';
import { ValidationError } from '../../platform/errors.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { numberedPageQuery } from '../../platform/paging.js';
import { actorOf, principalOf, requireAgentAccess } from '../shared/authentication.js';
import { callerOf } from '../shared/callers.js';
import { authenticatedErrors, errorBodySchema, notFoundError } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';
import { agentOfKey } from './agent-key-scope.js';

export interface AgentKeyConversationRoutesDependencies {
  readonly conversations: ConversationService;
  readonly turns: TurnRunner;
}

const tags = ['Agent-key API: Conversations'];
const security = contractSecurity.agentKey;
const idParams = z.object({ id: z.string().max(64).describe('Conversation id.') });

const startBody = z.object({
  channel: z.string().trim().min(1).max(50).optional().describe('api (default), web, chat, email, sms, voice…'),
  firstName: z.string().max(200).optional(),
  lastName: z.string().max(200).optional(),
  email: z.email().max(320).optional(),
  phoneNumber: z.string().trim().min(3).max(40).optional(),
  externalUserId: z.string().min(1).max(200).optional().describe('Your id for the user; defaults to the email, else the phone number.'),
  context: z.string().max(100_000).optional().describe('Text added to the agent’s instructions on every turn of this conversation.'),
  metadata: z.record(z.string(), z.unknown()).optional(),
  agentId: z.string().max(64).optional().describe('Required with an Organization-Secret-Key; with an Agent-Secret-Key it must be the key’s agent, or be left out.'),
});

const messageBody = z.object({
  message: z.string().trim().min(1, 'must not be empty').max(500_000).describe('What the user says.'),
  fileIds: z.array(z.string().max(64)).max(20).optional().describe('Files uploaded with POST /api/v1/File whose content joins this turn.'),
});

const usersQuery = numberedPageQuery.extend({
  orderBy: z.enum(['lastSeen', 'firstSeen', 'name', 'conversations']).default('lastSeen'),
  orderDirection: z.enum(['asc', 'desc']).default('desc'),
});

const userSchema = z.object({
  externalUserId: z.string(),
  name: z.string().nullable(),
  conversations: z.number().int(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
});

const conversationSchema = z.object({
  id: z.string(),
  agentId: z.string(),
  channel: z.string(),
  status: z.enum(['open', 'ended']),
  externalUserId: z.string().nullable(),
  user: z.record(z.string(), z.string()).describe('The identifiers the conversation was started with.'),
  context: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const messageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  role: z.enum(['user', 'assistant', 'tool', 'system']),
  message: z.string(),
  status: z.enum(['queued', 'streaming', 'awaiting_approval', 'completed', 'failed', 'cancelled']),
  model: z.string().nullable(),
  usage: z.object({ promptTokens: z.number(), completionTokens: z.number(), cachedTokens: z.number() }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  toolCalls: z
    .array(z.record(z.string(), z.unknown()))
    .nullable()
    .describe('Tools the reply called: id, name, arguments, kind, status (completed, failed, pending_approval, approved, rejected), result, isError.'),
  fileIds: z.array(z.string()),
  createdAt: z.string(),
});

function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    currentPage: z.number().int(),
    pageSize: z.number().int(),
    totalItems: z.number().int(),
    totalPages: z.number().int(),
    hasNextPage: z.boolean(),
    hasPreviousPage: z.boolean(),
  });
}

function conversationShape(view: ConversationView): z.infer<typeof conversationSchema> {
  return {
    id: view.id,
    agentId: view.agentId,
    channel: view.channel,
    status: view.status,
    externalUserId: view.externalUserId,
    user: view.userIdentifiers,
    context: view.extraContext,
    metadata: view.metadata,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  };
}

function messageShape(view: MessageView): z.infer<typeof messageSchema> {
  return {
    id: view.id,
    conversationId: view.conversationId,
    role: view.role,
    message: view.content,
    status: view.status,
    model: view.model,
    usage: view.usage,
    error: view.error,
    toolCalls: view.toolCalls ? view.toolCalls.map((call) => ({ ...call })) : null,
    fileIds: view.fileIds,
    createdAt: view.createdAt,
  };
}

function identifiersOf(body: z.infer<typeof startBody>): Record<string, string> {
  const identifiers: Record<string, string> = {};
  for (const field of ['firstName', 'lastName', 'email', 'phoneNumber'] as const) {
    const value = body[field];
    if (value) identifiers[field] = value;
  }
  return identifiers;
}

export function registerAgentKeyConversationRoutes(app: AppInstance, deps: AgentKeyConversationRoutesDependencies): void {
  /** A conversation of the caller's organization; an agent key may reach its own agent's only (403 otherwise). */
  const conversationFor = async (request: FastifyRequest, id: string): Promise<ConversationView> => {
    const principal = principalOf(request);
    const conversation = await deps.conversations.get(principal.orgId, id);
    requireAgentAccess(principal, conversation.agentId);
    return conversation;
  };

  app.post(
    '/external/conversations/start',
    {
      schema: {
        tags,
        security,
        summary: 'Start a conversation',
        description:
          'Starts a conversation on a channel with the user’s identifiers and returns its `conversationId`. The user’s `externalUserId` is the one sent, else the email, else the phone number; it groups the user’s conversations (GET /external/agents/users). When the agent has an initial message it is the conversation’s first message and is returned as `initialMessage`.',
        body: startBody,
        response: {
          200: z.object({ conversationId: z.string(), agentId: z.string(), channel: z.string(), initialMessage: z.string().nullable(), createdAt: z.string() }),
          ...authenticatedErrors,
          ...notFoundError,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const body = request.body;
      const agentId = body.agentId ?? principal.agentId;
      if (!agentId) throw ValidationError.field('body.agentId', 'required', 'is required with an organization-wide key');
      requireAgentAccess(principal, agentId);
      const identifiers = identifiersOf(body);
      const name = [body.firstName, body.lastName].filter(Boolean).join(' ');
      const conversation = await deps.conversations.create(actorOf(request), agentId, {
        name: name ? `Conversation with ${name}` : '',
        externalUserId: body.externalUserId ?? body.email ?? body.phoneNumber ?? null,
        externalUserName: name || null,
        userIdentifiers: identifiers,
        ...(body.channel === undefined ? {} : { channel: body.channel }),
        ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
        extraContext: body.context ?? null,
      });
      const opening = await deps.conversations.messages(principal.orgId, conversation.id, { limit: 1 });
      return {
        conversationId: conversation.id,
        agentId: conversation.agentId,
        channel: conversation.channel,
        initialMessage: opening.data[0]?.role === 'assistant' ? opening.data[0].content : null,
        createdAt: conversation.createdAt,
      };
    },
  );

  app.get(
    '/external/conversations/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Get a conversation',
        params: idParams,
        response: { 200: conversationSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => conversationShape(await conversationFor(request, request.params.id)),
  );

  app.post(
    '/external/conversations/:id/messages',
    {
      schema: {
        tags,
        security,
        summary: 'Send a message',
        description:
          'Posts the user’s message; the agent’s reply comes back in the same response. The user message is stored before the model is called; if the provider fails the reply is stored as failed, the error is returned, and the conversation stays usable. Messages sent at once are answered one after the other.',
        params: idParams,
        body: messageBody,
        response: {
          200: z.object({ conversationId: z.string(), userMessage: messageSchema, reply: messageSchema }),
          ...authenticatedErrors,
          ...notFoundError,
          502: errorBodySchema,
          504: errorBodySchema,
        },
      },
    },
    async (request) => {
      const conversation = await conversationFor(request, request.params.id);
      const principal = principalOf(request);
      const handle = await deps.turns.start({
        actor: actorOf(request),
        caller: callerOf(principal),
        conversationId: conversation.id,
        content: request.body.message,
        fileIds: request.body.fileIds ?? [],
      });
      const outcome = await handle.outcome;
      if (outcome.error) throw outcome.error;
      return { conversationId: conversation.id, userMessage: messageShape(handle.userMessage), reply: messageShape(outcome.message) };
    },
  );

  app.get(
    '/external/conversations/:id/messages',
    {
      schema: {
        tags,
        security,
        summary: 'List messages',
        description: 'The conversation’s messages, oldest first, by page.',
        params: idParams,
        querystring: numberedPageQuery,
        response: { 200: pageSchema(messageSchema), ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const conversation = await conversationFor(request, request.params.id);
      const page = await deps.conversations.numberedMessages(principalOf(request).orgId, conversation.id, request.query);
      return { ...page, items: page.items.map(messageShape) };
    },
  );

  app.delete(
    '/external/conversations/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Delete a conversation',
        description: 'Deletes the conversation with its messages, stopping a turn still running, and returns what was deleted.',
        params: idParams,
        response: { 200: conversationSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const conversation = await conversationFor(request, request.params.id);
      return conversationShape(await deps.conversations.delete(actorOf(request), conversation.id));
    },
  );

  app.post(
    '/external/conversations/:id/cancel',
    {
      schema: {
        tags,
        security,
        summary: 'Cancel the running reply',
        description: 'Agentry extension: stops the replies being written in the conversation, from any node; what was produced so far is kept, marked cancelled.',
        params: idParams,
        response: { 200: z.object({ cancelledTurns: z.number().int() }), ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const conversation = await conversationFor(request, request.params.id);
      const cancelled = await deps.turns.cancel(actorOf(request), conversation.id);
      return { cancelledTurns: cancelled.length };
    },
  );

  const usersDescription =
    'The end users who talked to the agent — one per `externalUserId` of its conversations — with their number of conversations and first and last activity. `orderBy`: lastSeen (default), firstSeen, name, conversations.';

  app.get(
    '/external/agents/:id/users',
    {
      schema: {
        tags: ['Agent-key API: Agents'],
        security: [{ organizationSecretKey: [] }],
        summary: 'Get agent users by agent id',
        description: `${usersDescription} For an Organization-Secret-Key; an agent key may name its own agent only.`,
        params: z.object({ id: z.string().max(64).describe('Agent id.') }),
        querystring: usersQuery,
        response: { 200: pageSchema(userSchema), ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireAgentAccess(principal, request.params.id);
      return deps.conversations.agentUsers(principal.orgId, request.params.id, request.query);
    },
  );

  app.get(
    '/external/agents/users',
    {
      schema: {
        tags: ['Agent-key API: Agents'],
        security: [{ agentSecretKey: [] }],
        summary: 'Get agent users by Agent API key',
        description: `${usersDescription} For the agent of the Agent-Secret-Key; an organization-wide key gets 403.`,
        querystring: usersQuery,
        response: { 200: pageSchema(userSchema), ...authenticatedErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return deps.conversations.agentUsers(principal.orgId, agentOfKey(principal), request.query);
    },
  );
}
