import type { AppInstance } from '../../platform/http/create-server.js';
import { withAuthentication } from '../shared/authenticated-scope.js';
import type { Authenticate } from '../shared/authentication.js';
import { type AccountRoutesDependencies, registerAccountRoutes } from './accounts.routes.js';
import { type AiGatewayRoutesDependencies, registerAiGatewayRoutes } from './ai-gateways.routes.js';
import { type CollectionRoutesDependencies, registerCollectionRoutes } from './collections.routes.js';
import { type DocumentRoutesDependencies, registerDocumentRoutes } from './documents.routes.js';
import { type MemoryRoutesDependencies, registerMemoryRoutes } from './memories.routes.js';
import { type QueryRoutesDependencies, registerQueryRoutes } from './query.routes.js';
import { type SkillRoutesDependencies, registerSkillRoutes } from './skills.routes.js';
import { type UsageRoutesDependencies, registerUsageRoutes } from './usage.routes.js';

export interface GatewayApiDependencies
  extends AccountRoutesDependencies,
    AiGatewayRoutesDependencies,
    UsageRoutesDependencies,
    MemoryRoutesDependencies,
    SkillRoutesDependencies,
    CollectionRoutesDependencies,
    DocumentRoutesDependencies,
    QueryRoutesDependencies {
  readonly authenticate: Authenticate;
}

/** The Gateway API (aivax-api.txt): lower-case `/api/v1/...` paths. */
export function registerGatewayApi(app: AppInstance, deps: GatewayApiDependencies): void {
  withAuthentication(app, deps.authenticate, (scope) => {
    registerAccountRoutes(scope, deps);
    registerAiGatewayRoutes(scope, deps);
    registerUsageRoutes(scope, deps);
    registerMemoryRoutes(scope, deps);
    registerSkillRoutes(scope, deps);
    registerCollectionRoutes(scope, deps);
    registerDocumentRoutes(scope, deps);
    registerQueryRoutes(scope, deps);
  });
}
