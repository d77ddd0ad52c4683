import { type AgentService, agentByApiKeySchema } from '../../features/ai-gateways/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { principalOf } from '../shared/authentication.js';
import { authenticatedErrors, notFoundError } from '../shared/responses.js';
import { agentOfKey } from './agent-key-scope.js';

export interface AgentKeyAgentRoutesDependencies {
  readonly agents: AgentService;
}

const tags = ['Agent-key API: Agents'];

export function registerAgentKeyAgentRoutes(app: AppInstance, deps: AgentKeyAgentRoutesDependencies): void {
  app.get(
    '/external/agents/by-api-key',
    {
      schema: {
        tags,
        security: [{ agentSecretKey: [] }],
        summary: 'Get agent by API key',
        description:
          'The agent the `Agent-Secret-Key` is scoped to, with its organization. `publicName` is the agent’s public name, else its name; `role` is empty and `status` is `active` until set (Organization API `PUT /api/v1/Agent/{agentId}`, fields `publicName`, `role`, `status` — `active` or `inactive` — and `tags`); `avatarUrl` is the agent’s `icon`. `vectorStoreId` is always an empty string: Agentry keeps knowledge in its own collections, not in an OpenAI vector store. ' +
          'An organization-wide key names no agent and gets 403 `agent_key_required`.',
        response: { 200: agentByApiKeySchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return deps.agents.byApiKey(principal.orgId, agentOfKey(principal));
    },
  );
}
