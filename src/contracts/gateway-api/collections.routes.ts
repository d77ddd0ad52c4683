import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  type CollectionService,
  type DocumentService,
  changesFromGateway,
  collectionCreatedSchema,
  collectionIdParams,
  collectionListQuery,
  collectionRequeuedSchema,
  collectionResetSchema,
  collectionViewSchema,
  createCollectionBody,
  toCollectionView,
  updateCollectionBody,
} from '../../features/knowledge/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { requestSignal } from '../../platform/http/request-signal.js';
import { actorOf, principalOf, requireOrganizationScope } from '../shared/authentication.js';
import { authenticatedErrors, messageSchema, notFoundError } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface CollectionRoutesDependencies {
  readonly collections: CollectionService;
  readonly documents: DocumentService;
}

const tags = ['Gateway API: Collections'];
const security = contractSecurity.gateway;

export const KNOWLEDGE_SCOPE_NOTE =
  'Collections belong to the organization: agent-scoped keys get 403, and another organization’s collection or document is a 404.';
const STATE_NOTE =
  '`state` counts the documents: `total`, `indexed` and `queued`. Every new document, and every document whose contents change, is Queued until the indexing pipeline has chunked it, embedded its chunks and added them to the full-text index; then it is Indexed. `failed` (an extension) counts documents the pipeline gave up on after its retries. Extensions set how a collection is indexed: `embeddingModel` (`local`, the built-in model, or `<connection>:<model>`; changing it re-embeds every document), `chunkSize` and `chunkOverlap` (approximate tokens; changing them re-indexes every document).';
const BODY_NOTE =
  '`collectionName` (required on create, at most 200 characters) need not be unique. `context` (optional, at most 10,000 characters) says what the collection holds. `tags` is typed as one string by the spec: it is split on commas (`"manuals, support"`); an array of strings is accepted too; tags are trimmed and each kept once. Unknown fields are refused with 400 naming them.';

export function registerCollectionRoutes(app: AppInstance, deps: CollectionRoutesDependencies): void {
  registerCollectionCrudRoutes(app, deps);
  registerCollectionMaintenanceRoutes(app, deps);
}

function registerCollectionCrudRoutes(app: AppInstance, deps: CollectionRoutesDependencies): void {
  app.get(
    '/api/v1/collections',
    {
      schema: {
        tags,
        security,
        summary: 'List Collections',
        description: `Lists the organization’s collections, newest first, each as \`GET /api/v1/collections/{id}\` shows it. The spec gives no usable shape for this reply, so Agentry answers a plain array, paged with \`offset\` and \`limit\` (default 50, at most 500), with the number of matching collections in the \`X-Total-Count\` header; \`search\` matches any part of the name, ignoring case. ${STATE_NOTE} ${KNOWLEDGE_SCOPE_NOTE}`,
        querystring: collectionListQuery,
        response: { 200: z.array(collectionViewSchema), ...authenticatedErrors },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      const page = await deps.collections.list(principal.orgId, request.query);
      void reply.header('x-total-count', String(page.totalCount));
      return page.items.map(toCollectionView);
    },
  );

  app.post(
    '/api/v1/collections',
    {
      schema: {
        tags,
        security,
        summary: 'Create Collection',
        description: `Creates an empty collection and returns its \`collectionId\`. ${BODY_NOTE} ${KNOWLEDGE_SCOPE_NOTE}`,
        body: createCollectionBody,
        response: { 200: collectionCreatedSchema, ...authenticatedErrors },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      const collection = await deps.collections.create(actorOf(request), changesFromGateway(request.body));
      return { collectionId: collection.id };
    },
  );

  app.get(
    '/api/v1/collections/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Get Collection Details',
        description: `The collection’s \`name\`, \`createdAt\`, \`state\` and \`tags\`, plus \`id\`, \`context\` and \`updatedAt\`. ${STATE_NOTE} ${KNOWLEDGE_SCOPE_NOTE}`,
        params: collectionIdParams,
        response: { 200: collectionViewSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return toCollectionView(await deps.collections.get(principal.orgId, request.params.id));
    },
  );

  app.put(
    '/api/v1/collections/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Edit Collection',
        description: `Changes the fields sent; like the other PUTs of Agentry it is a merge: a field left out keeps its value, \`context: null\` clears it and \`tags: null\` or \`""\` removes every tag. A body that changes nothing writes nothing and records no audit event. ${BODY_NOTE} ${KNOWLEDGE_SCOPE_NOTE}`,
        params: collectionIdParams,
        body: updateCollectionBody,
        response: { 200: messageSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      await deps.collections.update(actorOf(request), request.params.id, changesFromGateway(request.body));
      return { message: 'Collection saved successfully.' };
    },
  );

  app.delete(
    '/api/v1/collections/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Delete Collection',
        description: `Deletes the collection and every document in it, in one transaction. ${KNOWLEDGE_SCOPE_NOTE}`,
        params: collectionIdParams,
        response: { 200: messageSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      await deps.collections.delete(actorOf(request), request.params.id);
      return { message: 'Collection deleted successfully.' };
    },
  );
}

function registerCollectionMaintenanceRoutes(app: AppInstance, deps: CollectionRoutesDependencies): void {
  app.delete(
    '/api/v1/collections/:id/reset-only',
    {
      schema: {
        tags,
        security,
        summary: 'Reset Collection',
        description: `Deletes every document of the collection and keeps the collection, its name, context and tags. \`removedCount\` says how many documents were removed; a reset that removed any is audited as an update of the collection (\`documents\`: count → 0). ${KNOWLEDGE_SCOPE_NOTE}`,
        params: collectionIdParams,
        response: { 200: collectionResetSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      const { removedCount } = await deps.collections.reset(actorOf(request), request.params.id);
      return { message: 'Collection cleaned successfully.', removedCount };
    },
  );

  app.delete(
    '/api/v1/collections/:id/vectors-only',
    {
      schema: {
        tags,
        security,
        summary: 'Update Collection Vectors',
        description: `Marks every document of the collection Queued again (\`indexedAt\` null), so the indexing pipeline re-embeds the whole collection; the documents themselves are kept. \`enqueued\` says how many were marked. Until the pipeline exists this only changes their state. ${KNOWLEDGE_SCOPE_NOTE}`,
        params: collectionIdParams,
        response: { 200: collectionRequeuedSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      const { enqueued } = await deps.collections.requeue(actorOf(request), request.params.id);
      return { message: 'Outdated documents enqueued.', enqueued };
    },
  );

  app.get(
    '/api/v1/collections/:id/export.jsonl',
    {
      schema: {
        tags,
        security,
        summary: 'Export Collection',
        description: `Streams the collection’s documents as \`application/x-ndjson\` (an attachment named \`<collection id>.jsonl\`), one JSON object per line in creation order: \`name\`, \`contents\`, \`reference\`, \`tags\` and \`metadata\` — exactly what \`POST /api/v1/collections/{id}/documents\` reads, so an export imported into an empty collection gives the same documents. Rows are read a page at a time, never all at once; an empty collection gives an empty body. ${KNOWLEDGE_SCOPE_NOTE}`,
        params: collectionIdParams,
        response: {
          200: { description: 'One document per line.', content: { 'application/x-ndjson': { schema: z.string().describe('JSON Lines.') } } },
          ...authenticatedErrors,
          ...notFoundError,
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      const { id } = request.params;
      await deps.documents.assertCollection(principal.orgId, id);
      const lines = deps.documents.exportJsonl(principal.orgId, id, { signal: requestSignal(reply) });
      return sendJsonLines(reply, `${id.replace(/[^\w-]/g, '')}.jsonl`, lines);
    },
  );
}

/** The typed reply accepts only the schema's JSON; a stream bypasses serialization, so it is sent through the plain reply. */
function sendJsonLines(reply: FastifyReply, fileName: string, lines: AsyncIterable<string>): FastifyReply {
  return reply
    .header('content-type', 'application/x-ndjson; charset=utf-8')
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(lines));
}
