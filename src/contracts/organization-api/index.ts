import type { AppInstance } from '../../platform/http/create-server.js';
import { withAuthentication } from '../shared/authenticated-scope.js';
import type { Authenticate } from '../shared/authentication.js';
import { type AuditLogRoutesDependencies, registerAuditLogRoutes } from './audit-log.routes.js';
import { type ConnectionRoutesDependencies, registerConnectionRoutes } from './connections.routes.js';

export interface OrganizationApiDependencies extends AuditLogRoutesDependencies, ConnectionRoutesDependencies {
  readonly authenticate: Authenticate;
}

/** The Organization API (siesta-external-api.txt): Pascal-case `/api/v1/...` paths. */
export function registerOrganizationApi(app: AppInstance, deps: OrganizationApiDependencies): void {
  withAuthentication(app, deps.authenticate, (scope) => {
    registerAuditLogRoutes(scope, deps);
    registerConnectionRoutes(scope, deps);
  });
}
