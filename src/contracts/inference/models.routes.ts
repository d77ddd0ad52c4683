import { z } from 'zod';
import type { AiGatewayService } from '../../features/ai-gateways/index.js';
import type { ModelCatalog } from '../../features/inference/index.js';
import type { OrganizationService } from '../../features/organizations/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { principalOf, requireOrganizationScope } from '../shared/authentication.js';
import { openAiErrors } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface ModelRoutesDependencies {
  readonly modelCatalog: ModelCatalog;
  readonly aiGateways: AiGatewayService;
  readonly organizations: OrganizationService;
}

/** UUIDv7 ids carry their creation time in the first 48 bits: no extra query for `created`. */
function createdSeconds(uuidv7: string): number {
  const milliseconds = Number.parseInt(uuidv7.replace(/-/g, '').slice(0, 12), 16);
  return Number.isFinite(milliseconds) ? Math.floor(milliseconds / 1000) : 0;
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
          "The models the caller can name in `model`: the organization's AI gateways (by id, owned by the organization) and, as `@<connection>/<model>`, each Shared, enabled connection's declared models — or, when it declares none, the models its provider lists (remembered for five minutes) — in OpenAI's list format.",
        response: { 200: modelList, ...openAiErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      const [gateways, connectionModels, account] = await Promise.all([
        deps.aiGateways.list(principal.orgId),
        deps.modelCatalog.list(principal.orgId),
        deps.organizations.getAccount(principal.orgId),
      ]);
      const gatewayModels = gateways.map((gateway) => ({
        id: gateway.id,
        object: 'model' as const,
        created: createdSeconds(gateway.id),
        owned_by: account.name,
      }));
      return { object: 'list' as const, data: [...gatewayModels, ...connectionModels] };
    },
  );
}
