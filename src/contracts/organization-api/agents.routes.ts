import { z } from 'zod';
import {
  type AgentService,
  agentListQuery,
  agentPageSchema,
  agentViewSchema,
  createAgentBody,
  updateAgentBody,
} from '../../features/ai-gateways/index.js';
import { agentApiKeyViewSchema, createAgentApiKeyBody, issuedAgentApiKeySchema } from '../../features/api-keys/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { actorOf, principalOf, requireAgentAccess, requireOrganizationScope } from '../shared/authentication.js';
import { authenticatedErrors, messageSchema, notFoundError } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface AgentRoutesDependencies {
  readonly agents: AgentService;
}

const tags = ['Organization API: Agents'];
const keyTags = ['Organization API: Agent API keys'];
const security = contractSecurity.organization;
const agentParams = z.object({ agentId: z.string().max(64).describe('Id of the agent.') });
const keyParams = agentParams.extend({ keyId: z.string().max(64).describe('Id of the agent’s API key.') });

const sameAsGateway =
  'An agent is an AI gateway: it is listed by `/api/v1/ai-gateways` too, and `/v1/chat/completions` serves it with `model` set to its id or slug.';
const scopeRule =
  'An agent-scoped key may read and update its own agent only (403 for any other); an agent of another organization is 404.';
const fieldMapping =
  '`systemMessage` is the gateway’s `systemInstruction`; `modelParameters` `temperature`, `topP` and `maxTokens` are its `temperature`, `topP` and `maxCompletionTokens`; `reasoningEffort` is its `reasoningEffort`. ' +
  'The model is called through a connection: `connectionId` (an id or name of one of the organization’s connections, or of the operator’s) with `modelName`, or `modelName` as `@<connection>/<model>`; the gateway stores `@<connection name>/<model>` with an empty `baseAddress`. ' +
  'The other fields form the agent profile. `subAgents` must be other agents of the organization (400 naming `body.subAgents.<index>` otherwise). ' +
  'Agentry extensions, shown by `GET /external/agents/by-api-key`: `publicName`, `role`, `status` (`active` or `inactive`) and `tags`.';
const keyRule = 'Managing agent keys needs an organization-wide key: a leaked agent key must not be able to mint or rotate keys.';

export function registerAgentRoutes(app: AppInstance, deps: AgentRoutesDependencies): void {
  app.get(
    '/api/v1/Agent',
    {
      schema: {
        tags,
        security,
        summary: 'List agents',
        description: `The organization’s agents by name, with \`id\`, \`name\`, \`createdAt\`, \`isPublic\`, \`icon\`, \`iconColor\` and \`modelName\` (without its connection). Filter by \`search\` (name); page with \`offset\`/\`limit\`. An agent-scoped key lists only its own agent. ${sameAsGateway}`,
        querystring: agentListQuery,
        response: { 200: agentPageSchema, ...authenticatedErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return deps.agents.list(principal.orgId, request.query, principal.agentId);
    },
  );

  app.post(
    '/api/v1/Agent',
    {
      schema: {
        tags,
        security,
        summary: 'Create agent',
        description: `Creates an agent and returns it as GET shows it. \`name\` and \`modelName\` are required. When neither \`connectionId\` nor a \`@<connection>/\` prefix names a connection, the organization’s default connection (\`isDefault\`) is used; without one the request is refused with 400 naming \`body.connectionId\`. ${fieldMapping} ${sameAsGateway} Agent-scoped keys cannot create agents (403).`,
        body: createAgentBody,
        response: { 201: agentViewSchema, ...authenticatedErrors },
      },
    },
    async (request, reply) => {
      requireOrganizationScope(principalOf(request));
      return reply.status(201).send(await deps.agents.create(actorOf(request), request.body));
    },
  );

  app.get(
    '/api/v1/Agent/:agentId',
    {
      schema: {
        tags,
        security,
        summary: 'Get agent',
        description: `Every field the create request takes, with \`connectionId\` and \`modelName\` split again (\`connectionId\` is null for a gateway that calls a \`baseAddress\` directly). Profile fields never set read as their defaults: false, empty lists, null, status \`active\`. ${scopeRule}`,
        params: agentParams,
        response: { 200: agentViewSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireAgentAccess(principal, request.params.agentId);
      return deps.agents.get(principal.orgId, request.params.agentId);
    },
  );

  app.put(
    '/api/v1/Agent/:agentId',
    {
      schema: {
        tags,
        security,
        summary: 'Update agent',
        description: `Changes the fields sent; the others keep their values. The body of a GET can be sent back as is: its read-only fields (\`id\`, \`slug\`, \`createdAt\`, \`updatedAt\`) are ignored. Null clears a nullable field; a list or \`widgetSettings\` sent replaces the stored one whole; each \`modelParameters\` field sent replaces its value. \`modelName\` alone keeps the agent’s connection, \`connectionId\` alone keeps its model. ${fieldMapping} ${scopeRule}`,
        params: agentParams,
        body: updateAgentBody,
        response: { 200: agentViewSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      requireAgentAccess(principalOf(request), request.params.agentId);
      return deps.agents.update(actorOf(request), request.params.agentId, request.body);
    },
  );

  app.delete(
    '/api/v1/Agent/:agentId',
    {
      schema: {
        tags,
        security,
        summary: 'Delete agent',
        description:
          'Deletes the agent (the same AI gateway), its conversations and its agent-scoped API keys, which stop working at once; other agents that listed it as a sub-agent no longer do. Needs an organization-wide key (403 for agent-scoped keys).',
        params: agentParams,
        response: { 200: messageSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      await deps.agents.delete(actorOf(request), request.params.agentId);
      return { message: 'Agent deleted.' };
    },
  );

  registerAgentKeyRoutes(app, deps);
}

function registerAgentKeyRoutes(app: AppInstance, deps: AgentRoutesDependencies): void {
  app.post(
    '/api/v1/Agent/:agentId/api-keys',
    {
      schema: {
        tags: keyTags,
        security,
        summary: 'Create agent API key',
        description: `Creates a key scoped to the agent, for the \`Agent-Secret-Key\` header (it works with every credential style). The key is returned once, in \`secret\`; only its hash is stored. Send \`label\` (or \`name\`) and optionally \`expiresAt\`, in the future. ${keyRule}`,
        params: agentParams,
        body: createAgentApiKeyBody,
        response: { 201: issuedAgentApiKeySchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request, reply) => {
      requireOrganizationScope(principalOf(request));
      return reply.status(201).send(await deps.agents.createKey(actorOf(request), request.params.agentId, request.body));
    },
  );

  app.get(
    '/api/v1/Agent/:agentId/api-keys',
    {
      schema: {
        tags: keyTags,
        security,
        summary: 'List agent API keys',
        description: `The agent’s keys, oldest first, each shown by its last characters (\`key\`) with label, expiry and last use; never the secret. ${keyRule}`,
        params: agentParams,
        response: { 200: z.array(agentApiKeyViewSchema), ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return deps.agents.listKeys(principal.orgId, request.params.agentId);
    },
  );

  app.post(
    '/api/v1/Agent/:agentId/api-keys/:keyId/rotate',
    {
      schema: {
        tags: keyTags,
        security,
        summary: 'Rotate agent API key',
        description: `Gives the key a new secret, returned once in \`secret\`; id, label, expiry and limits stay. The old secret is refused from the next request on this node; other nodes drop it from their verification cache within its TTL (AGENTRY_KEY_CACHE_TTL_MS, 5 s by default). ${keyRule}`,
        params: keyParams,
        response: { 200: issuedAgentApiKeySchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      return deps.agents.rotateKey(actorOf(request), request.params.agentId, request.params.keyId);
    },
  );

  app.delete(
    '/api/v1/Agent/:agentId/api-keys/:keyId',
    {
      schema: {
        tags: keyTags,
        security,
        summary: 'Delete agent API key',
        description: `Removes the key; it stops working at once. ${keyRule}`,
        params: keyParams,
        response: { 200: messageSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      await deps.agents.deleteKey(actorOf(request), request.params.agentId, request.params.keyId);
      return { message: 'API key deleted.' };
    },
  );
}
