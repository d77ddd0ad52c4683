import type { AppInstance } from '../../platform/http/create-server.js';
import type { Authenticate } from './authentication.js';

/**
 * Registers routes in an encapsulated scope whose requests are authenticated
 * before their bodies are read, so an anonymous client gets 401, not a
 * validation error.
 */
export function withAuthentication(
  app: AppInstance,
  authenticate: Authenticate,
  register: (scope: AppInstance) => void,
): void {
  void app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => {
      request.principal = await authenticate(request);
    });
    register(scope);
  });
}
