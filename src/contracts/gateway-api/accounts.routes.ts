import { z } from 'zod';
import {
  type ApiKeyService,
  apiKeyListSchema,
  createApiKeyBody,
  createdApiKeySchema,
} from '../../features/api-keys/index.js';
import { type OrganizationService, accountSchema, updateAccountBody } from '../../features/organizations/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { actorOf, principalOf, requireOrganizationScope } from '../shared/authentication.js';
import { authenticatedErrors, messageSchema } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface AccountRoutesDependencies {
  readonly organizations: OrganizationService;
  readonly apiKeys: ApiKeyService;
}

const tags = ['Gateway API: Accounts'];
const security = contractSecurity.gateway;

export function registerAccountRoutes(app: AppInstance, deps: AccountRoutesDependencies): void {
  app.get(
    '/api/v1/accounts',
    {
      schema: {
        tags,
        security,
        summary: 'View account',
        description: "Returns the caller's organization: id, name, parameters and balance.",
        response: { 200: accountSchema, ...authenticatedErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return deps.organizations.getAccount(principal.orgId);
    },
  );

  app.put(
    '/api/v1/accounts',
    {
      schema: {
        tags,
        security,
        summary: 'Update account',
        description:
          'Updates the name and parameters of the account. Parameters are merged: fields not sent keep their value. Unknown parameters are rejected. The balance cannot be changed here (operators use `agentry orgs balance`).',
        body: updateAccountBody,
        response: { 200: accountSchema, ...authenticatedErrors },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      return deps.organizations.updateAccount(actorOf(request), request.body);
    },
  );

  app.post(
    '/api/v1/accounts/roll-salt',
    {
      schema: {
        tags,
        security,
        summary: 'Roll salt',
        description:
          'Generates a new random salt, invalidating webhook and tool-callback signatures made with the previous one. The new salt is shown by the API key listing.',
        response: { 200: messageSchema, ...authenticatedErrors },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      await deps.organizations.rollSalt(actorOf(request));
      return { message: 'Salt rolled successfully.' };
    },
  );

  app.get(
    '/api/v1/accounts/api-key',
    {
      schema: {
        tags,
        security,
        summary: 'List API keys',
        description: 'Returns the organization-wide API keys (by their last characters) and the current salt.',
        response: { 200: apiKeyListSchema, ...authenticatedErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      const [apiKeys, salt] = await Promise.all([
        deps.apiKeys.listOrganizationKeys(principal.orgId),
        deps.organizations.getSalt(principal.orgId),
      ]);
      return { apiKeys, salt };
    },
  );

  app.post(
    '/api/v1/accounts/api-key',
    {
      schema: {
        tags,
        security,
        summary: 'Create API key',
        description: 'Creates an organization-wide key. The key is returned once, in `grantKey`; only its hash is stored.',
        body: createApiKeyBody,
        response: { 200: createdApiKeySchema, ...authenticatedErrors },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      const { secret } = await deps.apiKeys.createOrganizationKey(actorOf(request), request.body);
      return { grantKey: secret };
    },
  );

  app.delete(
    '/api/v1/accounts/api-key/:keyId',
    {
      schema: {
        tags,
        security,
        summary: 'Delete API key',
        description:
          'Removes a key; it stops working at once. A key that does not exist or belongs to another organization gives 400 with the same message.',
        params: z.object({ keyId: z.string().max(64).describe('Id of the API key to delete.') }),
        response: { 200: messageSchema, ...authenticatedErrors },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      await deps.apiKeys.deleteOrganizationKey(actorOf(request), request.params.keyId);
      return { message: 'API key deleted successfully.' };
    },
  );
}
