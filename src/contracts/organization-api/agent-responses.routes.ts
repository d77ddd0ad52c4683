import { z } from 'zod';
import type { ConversationService, TurnRunner } from '../../features/conversations/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { actorOf, principalOf, requireAgentAccess } from '../shared/authentication.js';
import { callerOf } from '../shared/callers.js';
import { authenticatedErrors, errorBodySchema, notFoundError } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface AgentResponseRoutesDependencies {
  readonly conversations: ConversationService;
  readonly turns: TurnRunner;
}

const params = z.object({ agentId: z.string().max(64).describe('Id of the agent.') });

const responseBody = z
  .object({
    input: z.string().trim().min(1, 'must not be empty').max(500_000).describe('The user message.'),
    fileIds: z
      .array(z.string().max(64))
      .max(20)
      .optional()
      .describe('Files uploaded with POST /api/v1/File whose content joins this turn (text extracted from PDF, DOCX, HTML…; images as image parts).'),
    conversationId: z.string().max(64).optional().describe('Agentry extension: continue this conversation of the agent instead of starting one.'),
    externalUserId: z.string().min(1).max(200).optional().describe('Agentry extension: the caller’s id for the end user, stored on a new conversation.'),
  })
  .meta({ example: { input: 'Summarize the uploaded document and list the main risks.', fileIds: ['1f4c0e12-4d16-4d7a-bc41-72a69f51d1d2'] } });

const responseSchema = z.object({
  output: z.string().describe('The agent’s reply.'),
  conversationId: z.string().describe('Store it to continue the conversation.'),
});

/** How many characters of the first input name a conversation started here. */
const NAME_LENGTH = 80;

export function registerAgentResponseRoutes(app: AppInstance, deps: AgentResponseRoutesDependencies): void {
  app.post(
    '/api/v1/Agent/:agentId/response',
    {
      schema: {
        tags: ['Organization API: Agents'],
        security: contractSecurity.organization,
        summary: 'Create agent response',
        description:
          'Creates a new conversation with the agent (named after the input), sends the input message, and returns the agent’s output with the conversationId. Agentry extension: send `conversationId` to continue a conversation of this agent. ' +
          'The turn is stored like every other: the user message before the model is called, the reply with model, usage and latency. `fileIds` naming files that do not exist in the organization (or expired) give 400 naming them, and nothing is written. If the provider fails, the error is returned (502, 504…) and the conversation, which keeps the user message, stays usable.',
        params,
        body: responseBody,
        response: { 200: responseSchema, ...authenticatedErrors, ...notFoundError, 502: errorBodySchema, 504: errorBodySchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireAgentAccess(principal, request.params.agentId);
      const actor = actorOf(request);
      const { input, fileIds, conversationId, externalUserId } = request.body;
      const conversation = conversationId
        ? await deps.conversations.get(principal.orgId, conversationId, request.params.agentId)
        : await deps.conversations.create(actor, request.params.agentId, {
            name: input.replace(/\s+/g, ' ').slice(0, NAME_LENGTH),
            externalUserId: externalUserId ?? null,
          });
      const handle = await deps.turns.start({
        actor,
        caller: callerOf(principal),
        conversationId: conversation.id,
        agentId: request.params.agentId,
        content: input,
        fileIds: fileIds ?? [],
      });
      const outcome = await handle.outcome;
      if (outcome.error) throw outcome.error;
      return { output: outcome.message.content, conversationId: conversation.id };
    },
  );
}
