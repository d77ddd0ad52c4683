import { type UsageService, usageQuery, usageReportSchema } from '../../features/usage/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { principalOf, requireOrganizationScope } from '../shared/authentication.js';
import { authenticatedErrors } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface UsageRoutesDependencies {
  readonly usage: UsageService;
}

export function registerUsageRoutes(app: AppInstance, deps: UsageRoutesDependencies): void {
  app.get(
    '/api/v1/usage',
    {
      schema: {
        tags: ['Gateway API: Usage'],
        security: contractSecurity.gateway,
        summary: 'Usage report',
        description:
          'Tokens, cost, request and error counts, and latency / time-to-first-token percentiles of the organization’s model calls in a period (default: the last 30 days; at most 366 days), optionally filtered by `gatewayId`, `keyId` or `model` and split by `groupBy` (day, model, gateway or key). Usage is written in batches about a second after each call.',
        querystring: usageQuery,
        response: { 200: usageReportSchema, ...authenticatedErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return deps.usage.report(principal.orgId, request.query);
    },
  );
}
