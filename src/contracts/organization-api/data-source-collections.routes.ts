import {
  type CollectionService,
  changesFromDataSource,
  collectionIdParams,
  collectionListQuery,
  dataSourceCollectionBody,
  dataSourceCollectionPageSchema,
  dataSourceCollectionSchema,
  toDataSourceCollection,
  updateDataSourceCollectionBody,
} from '../../features/knowledge/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { actorOf, principalOf, requireOrganizationScope } from '../shared/authentication.js';
import { authenticatedErrors, notFoundError } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface DataSourceCollectionRoutesDependencies {
  readonly collections: CollectionService;
}

const tags = ['Organization API: Data Source Collections'];
const security = contractSecurity.organization;

const MAPPING_NOTE =
  'A data source collection is the same collection the Gateway API serves at `/api/v1/collections` (`name` is its `collectionName`, `description` its `context`); its documents are managed there. `documentCount`, `indexedDocumentCount` and `queuedDocumentCount` count its documents; new and changed documents stay Queued until the indexing pipeline has processed them. Collections belong to the organization: agent-scoped keys get 403, and another organization’s collection is a 404.';

export function registerDataSourceCollectionRoutes(app: AppInstance, deps: DataSourceCollectionRoutesDependencies): void {
  app.get(
    '/api/v1/DataSourceCollection',
    {
      schema: {
        tags,
        security,
        summary: 'List data source collections',
        description: `The organization’s collections, newest first. Filter by \`search\` (any part of the name, ignoring case); page with \`offset\`/\`limit\`. ${MAPPING_NOTE}`,
        querystring: collectionListQuery,
        response: { 200: dataSourceCollectionPageSchema, ...authenticatedErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      const page = await deps.collections.list(principal.orgId, request.query);
      return { ...page, items: page.items.map(toDataSourceCollection) };
    },
  );

  app.post(
    '/api/v1/DataSourceCollection',
    {
      schema: {
        tags,
        security,
        summary: 'Create data source collection',
        description: `Creates an empty collection. \`name\` is required (at most 200 characters, need not be unique); \`description\` and \`tags\` are optional. ${MAPPING_NOTE}`,
        body: dataSourceCollectionBody,
        response: { 201: dataSourceCollectionSchema, ...authenticatedErrors },
      },
    },
    async (request, reply) => {
      requireOrganizationScope(principalOf(request));
      const collection = await deps.collections.create(actorOf(request), changesFromDataSource(request.body));
      return reply.status(201).send(toDataSourceCollection(collection));
    },
  );

  app.get(
    '/api/v1/DataSourceCollection/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Get data source collection',
        description: MAPPING_NOTE,
        params: collectionIdParams,
        response: { 200: dataSourceCollectionSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return toDataSourceCollection(await deps.collections.get(principal.orgId, request.params.id));
    },
  );

  app.put(
    '/api/v1/DataSourceCollection/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Update data source collection',
        description: `Changes the fields sent; the others keep their values (\`description: null\` clears it, \`tags\` replaces the list). A GET body can be sent back as is: its read-only fields are ignored. ${MAPPING_NOTE}`,
        params: collectionIdParams,
        body: updateDataSourceCollectionBody,
        response: { 200: dataSourceCollectionSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      return toDataSourceCollection(await deps.collections.update(actorOf(request), request.params.id, changesFromDataSource(request.body)));
    },
  );
}
