import type { AppInstance } from '../../platform/http/create-server.js';
import { withAuthentication } from '../shared/authenticated-scope.js';
import type { Authenticate } from '../shared/authentication.js';
import { type ConversationRoutesDependencies, registerConversationRoutes } from './conversations.routes.js';

export interface ConversationsApiDependencies extends ConversationRoutesDependencies {
  readonly authenticate: Authenticate;
}

/** The Conversations API (conversations-api-v2.5.txt) under `/tenants/{tenantId}/api/v2`. */
export function registerConversationsApi(app: AppInstance, deps: ConversationsApiDependencies): void {
  withAuthentication(app, deps.authenticate, (scope) => {
    registerConversationRoutes(scope, deps);
  });
}
