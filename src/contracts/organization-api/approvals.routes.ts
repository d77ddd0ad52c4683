import { z } from 'zod';
import type { ConversationService, TurnRunner } from '../../features/conversations/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { actorOf, principalOf, requireAgentAccess } from '../shared/authentication.js';
import { callerOf } from '../shared/callers.js';
import { authenticatedErrors, errorBodySchema, notFoundError } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface ApprovalRoutesDependencies {
  readonly conversations: ConversationService;
  readonly turns: TurnRunner;
}

const tags = ['Organization API: Approvals'];
const conversationParams = z.object({ conversationId: z.string().max(64).describe('Id of the conversation.') });
const decisionParams = conversationParams.extend({ toolCallId: z.string().max(200).describe('Id of the pending tool call.') });

const pendingSchema = z.object({
  toolCallId: z.string(),
  turnId: z.string(),
  messageId: z.string().describe('The agent reply that waits.'),
  name: z.string().describe('The tool the agent wants to call.'),
  arguments: z.string().describe('The arguments the model wrote (JSON text).'),
  kind: z.string().describe('http, mcp, builtin, skill, sub-agent.'),
  requestedAt: z.string(),
});

const decisionBody = z.object({
  approve: z.boolean().describe('true runs the call; false refuses it and tells the agent why.'),
  reason: z.string().max(2000).optional().describe('Shown to the agent with a rejection (and stored with either decision).'),
});

export function registerApprovalRoutes(app: AppInstance, deps: ApprovalRoutesDependencies): void {
  app.get(
    '/api/v1/conversations/:conversationId/approvals',
    {
      schema: {
        tags,
        security: contractSecurity.organization,
        summary: 'List pending approvals',
        description:
          'Tool calls of the conversation that wait for a person. A tool marked `requiresApproval` (actions that change business data) does not run when the model calls it: the turn pauses (reply status `awaiting_approval`) until every pending call of that turn is decided. While a turn waits, new messages to the conversation get 409 `approval_pending`.',
        params: conversationParams,
        response: { 200: z.object({ items: z.array(pendingSchema) }), ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const conversation = await deps.conversations.get(principal.orgId, request.params.conversationId);
      requireAgentAccess(principal, conversation.agentId);
      return { items: await deps.turns.pendingApprovals(principal.orgId, conversation.id) };
    },
  );

  app.post(
    '/api/v1/conversations/:conversationId/approvals/:toolCallId',
    {
      schema: {
        tags,
        security: contractSecurity.organization,
        summary: 'Decide a pending tool call',
        description:
          'Approves or rejects a pending tool call. Once no call of the turn is pending, the turn resumes at once, detached from this request: approved calls run, rejected ones are reported to the model with the reason, and the agent continues; follow it with the turn’s stream (Conversations API) or read the reply’s messages. Deciding a call that is not pending gives 404 (unknown) or 409 (already decided).',
        params: decisionParams,
        body: decisionBody,
        response: {
          200: z.object({
            turnId: z.string(),
            toolCallId: z.string(),
            status: z.enum(['approved', 'rejected']),
            remainingApprovals: z.number().int().describe('Calls of the same turn still pending.'),
            resumed: z.boolean().describe('Whether this decision restarted the turn.'),
          }),
          ...authenticatedErrors,
          ...notFoundError,
          409: errorBodySchema.describe('The call was already decided.'),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const conversation = await deps.conversations.get(principal.orgId, request.params.conversationId);
      requireAgentAccess(principal, conversation.agentId);
      const outcome = await deps.turns.decide(actorOf(request), callerOf(principal), conversation.id, request.params.toolCallId, {
        approve: request.body.approve,
        reason: request.body.reason ?? null,
      });
      return {
        turnId: outcome.turnId,
        toolCallId: outcome.decided.id,
        status: request.body.approve ? ('approved' as const) : ('rejected' as const),
        remainingApprovals: outcome.remaining,
        resumed: outcome.resumed,
      };
    },
  );
}
