import { z } from 'zod';
import {
  type ConnectionService,
  connectionListQuery,
  connectionPageSchema,
  connectionViewSchema,
  createConnectionBody,
  updateConnectionBody,
} from '../../features/connections/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { actorOf, principalOf, requireOrganizationScope } from '../shared/authentication.js';
import { authenticatedErrors, errorBodySchema, messageSchema, notFoundError } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface ConnectionRoutesDependencies {
  readonly connections: ConnectionService;
}

const tags = ['Organization API: Connections'];
const security = contractSecurity.organization;
const idParams = z.object({ id: z.string().max(64) });
const conflict = { 409: errorBodySchema.describe('Another connection of the organization has that name.') } as const;

export function registerConnectionRoutes(app: AppInstance, deps: ConnectionRoutesDependencies): void {
  app.get(
    '/api/v1/Connection',
    {
      schema: {
        tags,
        security,
        summary: 'List connections',
        description:
          'Model provider connections available to the organization: its own (scope Organization) and those the operator declares (scope System, read-only). Filter by `search` (name), `scope` and `type`; page with `offset`/`limit`. `disabled` shows the governance policy (`disabledConnectionTypes`). Credentials are never returned.',
        querystring: connectionListQuery,
        response: { 200: connectionPageSchema, ...authenticatedErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return deps.connections.list(principal.orgId, request.query);
    },
  );

  app.post(
    '/api/v1/Connection',
    {
      schema: {
        tags,
        security,
        summary: 'Create connection',
        description:
          'Adds a provider connection. `apiKey` is encrypted at rest (AGENTRY_SECRET_KEY) and never returned. The base URL must pass the outbound address policy: private, loopback and link-local addresses are refused unless the operator allows them (AGENTRY_OUTBOUND_ALLOW). Models are then addressed as `@<name>/<model>`.',
        body: createConnectionBody,
        response: { 201: connectionViewSchema, ...authenticatedErrors, ...conflict },
      },
    },
    async (request, reply) => {
      requireOrganizationScope(principalOf(request));
      return reply.status(201).send(await deps.connections.create(actorOf(request), request.body));
    },
  );

  app.get(
    '/api/v1/Connection/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Get connection',
        params: idParams,
        response: { 200: connectionViewSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return deps.connections.get(principal.orgId, request.params.id);
    },
  );

  app.put(
    '/api/v1/Connection/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Update connection',
        description:
          'Changes the fields sent; the others keep their values. `apiKey: null` removes the stored key. System connections are read-only (403).',
        params: idParams,
        body: updateConnectionBody,
        response: { 200: connectionViewSchema, ...authenticatedErrors, ...notFoundError, ...conflict },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      return deps.connections.update(actorOf(request), request.params.id, request.body);
    },
  );

  app.delete(
    '/api/v1/Connection/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Delete connection',
        description: 'Removes a connection of the organization. System connections are read-only (403).',
        params: idParams,
        response: { 200: messageSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      await deps.connections.delete(actorOf(request), request.params.id);
      return { message: 'Connection deleted.' };
    },
  );
}
