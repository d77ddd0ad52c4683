import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  type DocumentService,
  collectionIdParams,
  documentBody,
  documentIdParams,
  documentImportResultSchema,
  documentListQuery,
  documentSummarySchema,
  documentUpsertResultSchema,
  documentViewSchema,
  importDocumentsBody,
} from '../../features/knowledge/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { actorOf, principalOf, requireOrganizationScope } from '../shared/authentication.js';
import { authenticatedErrors, errorBodySchema, messageSchema, notFoundError } from '../shared/responses.js';
import { receiveUpload, registerUploadScope } from '../shared/multipart-upload.js';
import { contractSecurity } from '../shared/security-schemes.js';
import { KNOWLEDGE_SCOPE_NOTE } from './collections.routes.js';

export interface DocumentRoutesDependencies {
  readonly documents: DocumentService;
}

const tags = ['Gateway API: Documents'];
const security = contractSecurity.gateway;
const conflict = { 409: errorBodySchema.describe('Another request wrote a document of the same name at the same moment; send it again.') } as const;

const QUEUE_NOTE =
  'A new document, or one whose contents change (another SHA-256 of `contents`), is Queued, with `indexedAt` null, until the indexing pipeline has chunked and embedded it; then it is Indexed. A document whose embedding keeps failing is Failed, with the reason in `stateReason`.';
const DOCUMENT_FIELDS =
  '`name` (required, at most 1,000 characters) is unique in the collection; `contents` (required, not blank, at most 2,000,000 characters); `reference` (optional) groups documents cut from one source; `tags` (optional, at most 50, without quotes, backslashes or control characters); `metadata` (optional) is any JSON object.';

export function registerDocumentRoutes(app: AppInstance, deps: DocumentRoutesDependencies): void {
  registerDocumentReadRoutes(app, deps);
  registerDocumentWriteRoutes(app, deps);
  registerUploadScope(app, deps.documents.maxImportBytes, (scope) => registerDocumentImportRoute(scope, deps));
}

function registerDocumentReadRoutes(app: AppInstance, deps: DocumentRoutesDependencies): void {
  app.get(
    '/api/v1/collections/:id/documents',
    {
      schema: {
        tags,
        security,
        summary: 'Browse Documents',
        description: `Lists the collection’s documents with a 200-character \`contentsPreview\`. \`filter\`: \`-t <tag>\` keeps documents with that tag (repeat to require several), \`-n <text>\` those whose name contains the text, \`-r <text>\` those whose reference contains it; a word outside an option is matched against the name; values with spaces go in double quotes; matching ignores case; an option without a value is a 400. \`order_by\`: \`created_at_desc\` (the default), \`created_at_asc\`, \`updated_at_desc\`, \`updated_at_asc\`, \`name_asc\`, \`name_desc\`. \`state\`: \`queued\`, \`indexed\` or \`cancelled\` (any case). The reply is the spec’s plain array, paged with \`offset\` and \`limit\` (default 50, at most 500), with the number of matching documents in the \`X-Total-Count\` header. ${KNOWLEDGE_SCOPE_NOTE}`,
        params: collectionIdParams,
        querystring: documentListQuery,
        response: { 200: z.array(documentSummarySchema), ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      const page = await deps.documents.list(principal.orgId, request.params.id, request.query);
      void reply.header('x-total-count', String(page.totalCount));
      return page.items;
    },
  );

  app.get(
    '/api/v1/collections/:id/documents/:documentId',
    {
      schema: {
        tags,
        security,
        summary: 'Get Document',
        description: `One document with its full \`contents\`, \`state\`, \`indexedAt\` (null until indexed), and counts: \`characterCount\` (Unicode code points), \`wordCount\` (runs of non-whitespace) and \`approximateTokenCount\` (ceil(characterCount / 4)). A document of another collection is a 404. ${KNOWLEDGE_SCOPE_NOTE}`,
        params: documentIdParams,
        response: { 200: documentViewSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return deps.documents.get(principal.orgId, request.params.id, request.params.documentId);
    },
  );
}

function registerDocumentWriteRoutes(app: AppInstance, deps: DocumentRoutesDependencies): void {
  app.put(
    '/api/v1/collections/:id/documents',
    {
      schema: {
        tags,
        security,
        summary: 'Create or Update Document',
        description: `Creates the document, or updates the collection’s document with the same \`name\`. ${DOCUMENT_FIELDS} ${QUEUE_NOTE} The same contents leave the document’s state and index alone: if only \`reference\`, \`tags\` or \`metadata\` differ they are updated (\`result: "Updated"\`, state kept), and if nothing differs nothing is written (\`result: "Unchanged"\`). Returns \`documentId\` and \`state\`. ${KNOWLEDGE_SCOPE_NOTE}`,
        params: collectionIdParams,
        body: documentBody,
        response: { 200: documentUpsertResultSchema, ...authenticatedErrors, ...notFoundError, ...conflict },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      return deps.documents.upsert(actorOf(request), request.params.id, request.body);
    },
  );

  app.delete(
    '/api/v1/collections/:id/documents/:documentId',
    {
      schema: {
        tags,
        security,
        summary: 'Delete Document',
        description: `Deletes the document (audited with its name). ${KNOWLEDGE_SCOPE_NOTE}`,
        params: documentIdParams,
        response: { 200: messageSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      await deps.documents.delete(actorOf(request), request.params.id, request.params.documentId);
      return { message: 'Document removed.' };
    },
  );
}

function registerDocumentImportRoute(app: AppInstance, deps: DocumentRoutesDependencies): void {
  app.post(
    '/api/v1/collections/:id/documents',
    {
      schema: {
        tags,
        security,
        summary: 'Index Documents (JSONL)',
        description: `Imports documents from a JSONL file sent as the multipart/form-data field \`documents\` (UTF-8, LF or CRLF line ends; blank lines are ignored). Each line is one JSON object like the body of \`PUT /api/v1/collections/{id}/documents\`: ${DOCUMENT_FIELDS} Every line is checked first. An invalid line — not JSON, not an object, without \`name\` or \`contents\`, a field breaking the rules, or a name repeated in the file — is skipped and reported in \`invalidLines\` as \`{ line, field, rule, message }\` (line numbers count every line from 1; at most 100 are listed, \`invalid\` counts them all); the valid lines are imported. A file without a single valid line writes nothing and is answered 400 \`documents_import_invalid\` with the same list in \`details.lines\`. Each valid line is an upsert by name, all in one transaction: \`enqueued\` counts the documents written as Queued (\`created\` new ones plus \`updated\` ones whose contents changed); \`skipped\` counts lines whose document already has the same contents, which are not queued again (their reference, tags and metadata are updated if they differ). ${QUEUE_NOTE} At most 10,000 documents and 64 MiB per file (413 beyond). ${KNOWLEDGE_SCOPE_NOTE}`,
        consumes: ['multipart/form-data'],
        params: collectionIdParams,
        body: importDocumentsBody,
        response: {
          200: documentImportResultSchema,
          ...authenticatedErrors,
          ...notFoundError,
          ...conflict,
          413: errorBodySchema.describe('The file is larger than the import limit.'),
          415: errorBodySchema.describe('The body is not multipart/form-data.'),
        },
      },
    },
    async (request, reply) => {
      try {
        requireOrganizationScope(principalOf(request));
        return await importFrom(deps.documents, request, request.params.id);
      } catch (error) {
        // The rest of the body may still be arriving; closing the connection keeps it out of the next request.
        void reply.header('connection', 'close');
        throw error;
      }
    },
  );
}

async function importFrom(documents: DocumentService, request: FastifyRequest, collectionId: string) {
  const actor = actorOf(request);
  return receiveUpload(request, { field: 'documents', what: 'the JSONL file' }, (part) => documents.importJsonl(actor, collectionId, part.file));
}
