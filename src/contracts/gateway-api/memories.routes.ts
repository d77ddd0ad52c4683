import { z } from 'zod';
import {
  type MemoryService,
  deleteMemoriesQuery,
  memoriesDeletedSchema,
  memoryIdParams,
  memoryListQuery,
  memorySelectorOf,
  memorySummarySchema,
  memoryViewSchema,
} from '../../features/memories/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { actorOf, principalOf, requireOrganizationScope } from '../shared/authentication.js';
import { authenticatedErrors, notFoundError } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface MemoryRoutesDependencies {
  readonly memories: MemoryService;
}

const tags = ['Gateway API: Memories'];
const security = contractSecurity.gateway;

const SCOPE_NOTE =
  'Memories are stored by agents with the built-in `Remember` function for the external user of a conversation, and belong to the organization (any of its agents reads them for that user), so agent-scoped keys get 403. DateReminder memories past their `expiresAt` are gone at once and purged by a background job.';

export function registerMemoryRoutes(app: AppInstance, deps: MemoryRoutesDependencies): void {
  app.get(
    '/api/v1/memories',
    {
      schema: {
        tags,
        security,
        summary: 'List Memories',
        description: `Lists persisted memories of the organization, newest first. \`filter\` matches any part of the memory id, content or external user id, ignoring case; \`format\` keeps one format. The reply is the spec’s plain array; Agentry pages it with \`offset\` and \`limit\` (default 50, at most 500) and sends the number of matching memories in the \`X-Total-Count\` header. ${SCOPE_NOTE}`,
        querystring: memoryListQuery,
        response: { 200: z.array(memorySummarySchema), ...authenticatedErrors },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      const page = await deps.memories.list(principal.orgId, request.query);
      void reply.header('x-total-count', String(page.totalCount));
      return page.items;
    },
  );

  app.get(
    '/api/v1/memories/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Get Memory',
        description: `One memory. An id that is not a UUID, belongs to another organization or names an expired reminder is a 404. ${SCOPE_NOTE}`,
        params: memoryIdParams,
        response: { 200: memoryViewSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return deps.memories.get(principal.orgId, request.params.id);
    },
  );

  app.delete(
    '/api/v1/memories',
    {
      schema: {
        tags,
        security,
        summary: 'Delete Memories',
        description: `Deletes one memory by \`id\` (a UUID; unknown in the organization: 404), or the memories of \`externalUserId\` with the required \`format\` (none matching is not an error: \`removedCount\` is 0). Sending both \`id\` and \`externalUserId\`, neither, \`externalUserId\` without \`format\`, \`format\` with \`id\`, or an invalid \`format\` is a 400 naming the field. For a deletion by id the reply names the memory’s user and format. Each deleted memory is audited (entity type Memory) without its content. ${SCOPE_NOTE}`,
        querystring: deleteMemoriesQuery,
        response: {
          200: memoriesDeletedSchema,
          ...authenticatedErrors,
          404: notFoundError[404].describe('The memory id does not exist in the caller’s organization.'),
        },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      return deps.memories.delete(actorOf(request), memorySelectorOf(request.query));
    },
  );
}
