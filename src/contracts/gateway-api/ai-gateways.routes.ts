import { z } from 'zod';
import {
  type AiGatewayService,
  aiGatewayListQuery,
  aiGatewaySummarySchema,
  aiGatewayViewSchema,
  createAiGatewayBody,
  createdAiGatewaySchema,
  updateAiGatewayBody,
} from '../../features/ai-gateways/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { actorOf, principalOf, requireOrganizationScope } from '../shared/authentication.js';
import { authenticatedErrors, errorBodySchema, messageSchema, notFoundError } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface AiGatewayRoutesDependencies {
  readonly aiGateways: AiGatewayService;
}

const tags = ['Gateway API: AI Gateways'];
const security = contractSecurity.gateway;
const idParams = z.object({ id: z.string().max(64).describe('Id of the AI gateway.') });
const conflict = { 409: errorBodySchema.describe('Another AI gateway of the organization has that slug.') } as const;

const parametersDescription =
  'How Agentry uses `parameters` on `/v1/chat/completions`: `modelName` is the upstream model (`@<connection>/<model>` uses that connection, and then `baseAddress` must be empty; otherwise `baseAddress` and `apiKey` name the provider; a `baseAddress` on a private, loopback or link-local address is refused with 403 `outbound_address_refused` unless the operator allows it with AGENTRY_OUTBOUND_ALLOW). ' +
  '`temperature`, `topP`, `presencePenalty`, `frequencyPenalty`, `stop`, `maxCompletionTokens`, `reasoningEffort` and `verbosity` are enforced: when set they replace the client’s values. ' +
  '`systemInstruction` is sent as a system message before the client’s messages; `userPromptTemplate` wraps the last user message (`{{prompt}}`); `assistantPrefill` is sent as a final assistant message. ' +
  '`contextMaximumSize` bounds the estimated tokens of the messages (ceil(characters / 4) + 4 per message); over it, `contextOverflowAction` Throw (default) answers 400 and Truncate drops the oldest non-system messages, with the tool results of dropped tool calls. ' +
  '`modelRoutingParameters` picks the low, medium or high tier’s model and reasoning effort from a deterministic complexity score of the request. ' +
  'Flags NoSystemInstruct, NoTemperature, NoStopParameter, NoReasoningEffort, NoAssistantPrefilling and StrictUserAssistantTurns adapt requests to the model; other flags and fields (knowledge, tools, skills, bash, sentinel, moderation…) are validated and stored for the features that use them. ' +
  'Agentry extensions: `limits` (`requestsPerMinute`, `tokensPerDay`) and `fallbackModels` (`@<connection>/<model>` ids tried in order when the primary fails before the first byte). ' +
  'Unknown fields are kept and returned as sent. `apiKey` is encrypted at rest and never returned.';

export function registerAiGatewayRoutes(app: AppInstance, deps: AiGatewayRoutesDependencies): void {
  app.post(
    '/api/v1/ai-gateways',
    {
      schema: {
        tags,
        security,
        summary: 'Create AI gateway',
        description: `Creates an AI gateway in the caller’s organization. \`slug\` (Agentry extension) is derived from the name when not sent. ${parametersDescription}`,
        body: createAiGatewayBody,
        response: { 200: createdAiGatewaySchema, ...authenticatedErrors, ...conflict },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      const created = await deps.aiGateways.create(actorOf(request), request.body);
      return { aiGatewayId: created.id };
    },
  );

  app.get(
    '/api/v1/ai-gateways',
    {
      schema: {
        tags,
        security,
        summary: 'List AI gateways',
        description:
          'The organization’s AI gateways, by name. `filter` matches any part of the name, model name, slug or id, ignoring case. `inferenceEndpoint` is the path that serves a gateway: `POST /v1/chat/completions` with `model` set to the gateway id.',
        querystring: aiGatewayListQuery,
        response: { 200: z.array(aiGatewaySummarySchema), ...authenticatedErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return deps.aiGateways.list(principal.orgId, request.query.filter);
    },
  );

  app.get(
    '/api/v1/ai-gateways/:id',
    {
      schema: {
        tags,
        security,
        summary: 'View AI gateway',
        description: 'One AI gateway with its parameters as stored; `parameters.apiKey` is `********` when a key is stored and null when not.',
        params: idParams,
        response: { 200: aiGatewayViewSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return deps.aiGateways.get(principal.orgId, request.params.id);
    },
  );

  app.patch(
    '/api/v1/ai-gateways/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Edit AI gateway',
        description:
          'Changes the fields sent. `parameters` merge at the top level: each parameter sent replaces the stored one (a nested object as a whole), the others keep their values; send null to clear a nullable one. `apiKey`: `********` (as returned by reads) keeps the stored key, null removes it, any other string replaces it. Returns the gateway as GET shows it.',
        params: idParams,
        body: updateAiGatewayBody,
        response: { 200: aiGatewayViewSchema, ...authenticatedErrors, ...notFoundError, ...conflict },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      return deps.aiGateways.update(actorOf(request), request.params.id, request.body);
    },
  );

  app.delete(
    '/api/v1/ai-gateways/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Delete AI gateway',
        description: 'Removes the gateway; requests naming it get 404 from then on.',
        params: idParams,
        response: { 200: messageSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      await deps.aiGateways.delete(actorOf(request), request.params.id);
      return { message: 'AI gateway deleted.' };
    },
  );
}
