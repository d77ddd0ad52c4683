import { z } from 'zod';
import type { ConnectionService } from '../../features/connections/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { principalOf, requireOrganizationScope } from '../shared/authentication.js';
import { openAiErrors } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface ModelRoutesDependencies {
  readonly connections: ConnectionService;
}

const modelList = z
  .object({
    object: z.literal('list'),
    data: z.array(z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() })),
  })
  .meta({ example: { object: 'list', data: [{ id: '@groq/llama-3.3-70b-versatile', object: 'model', created: 1795459200, owned_by: 'groq' }] } });

export function registerModelRoutes(app: AppInstance, deps: ModelRoutesDependencies): void {
  app.get(
    '/v1/models',
    {
      schema: {
        tags: ['OpenAI-compatible inference'],
        security: contractSecurity.inference,
        summary: 'List models',
        description:
          "The models the caller can name in `model`: each Shared, enabled connection's declared models as `@<connection>/<model>`, in OpenAI's list format.",
        response: { 200: modelList, ...openAiErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return { object: 'list' as const, data: await deps.connections.models(principal.orgId) };
    },
  );
}
