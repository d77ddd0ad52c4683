import type { AppInstance } from '../../platform/http/create-server.js';
import { withAuthentication } from '../shared/authenticated-scope.js';
import type { Authenticate } from '../shared/authentication.js';
import { type AgentKeyAgentFileRoutesDependencies, registerAgentKeyAgentFileRoutes } from './agent-files.routes.js';
import { type AgentKeyAgentRoutesDependencies, registerAgentKeyAgentRoutes } from './agents.routes.js';
import { type AgentKeyConversationRoutesDependencies, registerAgentKeyConversationRoutes } from './conversations.routes.js';

export interface AgentKeyApiDependencies
  extends AgentKeyAgentRoutesDependencies,
    AgentKeyConversationRoutesDependencies,
    AgentKeyAgentFileRoutesDependencies {
  readonly authenticate: Authenticate;
}

/** The Agent-key API (raia-external-agents.txt, raia-api-overview.txt): `/external/...` paths, `Agent-Secret-Key`. */
export function registerAgentKeyApi(app: AppInstance, deps: AgentKeyApiDependencies): void {
  withAuthentication(app, deps.authenticate, (scope) => {
    registerAgentKeyAgentRoutes(scope, deps);
    registerAgentKeyConversationRoutes(scope, deps);
    registerAgentKeyAgentFileRoutes(scope, deps);
  });
}
