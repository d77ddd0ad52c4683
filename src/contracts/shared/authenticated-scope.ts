import type { AppInstance } from '../../platform/http/create-server.js';
import type { Authenticate, Principal } from './authentication.js';

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
    // Callback style: a key verified recently is known without a promise, and this runs on every request.
    scope.addHook('onRequest', (request, _reply, done) => {
      let principal: Principal | Promise<Principal>;
      try {
        principal = authenticate(request);
      } catch (error) {
        done(error as Error);
        return;
      }
      if (!(principal instanceof Promise)) {
        request.principal = principal;
        done();
        return;
      }
      principal.then((verified) => {
        request.principal = verified;
        done();
      }, done);
    });
    register(scope);
  });
}
