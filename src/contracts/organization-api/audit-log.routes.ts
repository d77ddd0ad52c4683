import { z } from 'zod';
import {
  type AuditService,
  auditEventDetailSchema,
  auditEventPageSchema,
  auditListQuery,
} from '../../features/audit/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { principalOf, requireOrganizationScope } from '../shared/authentication.js';
import { authenticatedErrors, notFoundError } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface AuditLogRoutesDependencies {
  readonly audit: AuditService;
}

const tags = ['Organization API: Audit Log'];
const security = contractSecurity.organization;

export function registerAuditLogRoutes(app: AppInstance, deps: AuditLogRoutesDependencies): void {
  app.get(
    '/api/v1/AuditLog',
    {
      schema: {
        tags,
        security,
        summary: 'List audit events',
        description:
          'Every create, update and delete made through any contract, newest first. Filter by date range (`from`, `to`), `changeType`, `userId` (API key id), `entityType` and `entityId`; page with `offset`/`limit`. Events older than the organization’s `auditLogRetentionDays` are purged.',
        querystring: auditListQuery,
        response: { 200: auditEventPageSchema, ...authenticatedErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return deps.audit.list(principal.orgId, request.query);
    },
  );

  app.get(
    '/api/v1/AuditLog/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Get audit event',
        description: 'One audit event with its changed properties (old and new values; secrets masked as `***`).',
        params: z.object({ id: z.string().max(64) }),
        response: { 200: auditEventDetailSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return deps.audit.get(principal.orgId, request.params.id);
    },
  );
}
