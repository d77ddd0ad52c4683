import type { AppInstance } from '../../platform/http/create-server.js';
import { withAuthentication } from '../shared/authenticated-scope.js';
import type { Authenticate } from '../shared/authentication.js';
import { type AgentResponseRoutesDependencies, registerAgentResponseRoutes } from './agent-responses.routes.js';
import { type ApprovalRoutesDependencies, registerApprovalRoutes } from './approvals.routes.js';
import { type AgentRoutesDependencies, registerAgentRoutes } from './agents.routes.js';
import { type AuditLogRoutesDependencies, registerAuditLogRoutes } from './audit-log.routes.js';
import { type ConnectionRoutesDependencies, registerConnectionRoutes } from './connections.routes.js';
import { type DataSourceCollectionRoutesDependencies, registerDataSourceCollectionRoutes } from './data-source-collections.routes.js';
import { type FileRoutesDependencies, registerFileRoutes } from './files.routes.js';

export interface OrganizationApiDependencies
  extends AgentResponseRoutesDependencies,
    ApprovalRoutesDependencies,
    AgentRoutesDependencies,
    AuditLogRoutesDependencies,
    ConnectionRoutesDependencies,
    FileRoutesDependencies,
    DataSourceCollectionRoutesDependencies {
  readonly authenticate: Authenticate;
}

/** The Organization API (siesta-external-api.txt): Pascal-case `/api/v1/...` paths. */
export function registerOrganizationApi(app: AppInstance, deps: OrganizationApiDependencies): void {
  withAuthentication(app, deps.authenticate, (scope) => {
    registerAgentRoutes(scope, deps);
    registerAuditLogRoutes(scope, deps);
    registerConnectionRoutes(scope, deps);
    registerFileRoutes(scope, deps);
    registerDataSourceCollectionRoutes(scope, deps);
    registerAgentResponseRoutes(scope, deps);
    registerApprovalRoutes(scope, deps);
  });
}
