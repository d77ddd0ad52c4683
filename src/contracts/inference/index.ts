import type { AppInstance } from '../../platform/http/create-server.js';
import { withAuthentication } from '../shared/authenticated-scope.js';
import type { Authenticate } from '../shared/authentication.js';
import { type ChatCompletionRoutesDependencies, registerChatCompletionRoutes } from './chat-completions.routes.js';
import { type ModelRoutesDependencies, registerModelRoutes } from './models.routes.js';

export interface InferenceApiDependencies extends ChatCompletionRoutesDependencies, ModelRoutesDependencies {
  readonly authenticate: Authenticate;
}

/** The OpenAI-compatible inference contract under `/v1`. */
export function registerInferenceApi(app: AppInstance, deps: InferenceApiDependencies): void {
  withAuthentication(app, deps.authenticate, (scope) => {
    registerChatCompletionRoutes(scope, deps);
    registerModelRoutes(scope, deps);
  });
}
