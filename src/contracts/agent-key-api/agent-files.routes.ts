import type { MultipartFile } from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  type AgentFileService,
  agentFileIdParams,
  agentFileListQuery,
  agentFilePageSchema,
  agentFileViewSchema,
  uploadAgentFileBody,
} from '../../features/agent-files/index.js';
import { ValidationError } from '../../platform/errors.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { requestSignal } from '../../platform/http/request-signal.js';
import { actorOf, principalOf } from '../shared/authentication.js';
import { receiveUpload, registerUploadScope } from '../shared/multipart-upload.js';
import { authenticatedErrors, errorBodySchema, notFoundError } from '../shared/responses.js';
import { agentOfKey } from './agent-key-scope.js';

export interface AgentKeyAgentFileRoutesDependencies {
  readonly agentFiles: AgentFileService;
}

const tags = ['Agent-key API: Agent files'];
const security = [{ agentSecretKey: [] }];
const MAX_NAME_CHARACTERS = 255;

const SCOPE_NOTE =
  'Agent files belong to the agent of the `Agent-Secret-Key`: another agent’s or another organization’s file is a 404, and an organization-wide key, which names no agent, gets 403 `agent_key_required`.';

export function registerAgentKeyAgentFileRoutes(app: AppInstance, deps: AgentKeyAgentFileRoutesDependencies): void {
  registerUploadScope(app, deps.agentFiles.maxUploadBytes, (scope) => {
    scope.post(
      '/external/agent-files/upload',
      {
        schema: {
          tags,
          security,
          summary: 'Upload an agent file',
          description:
            'Uploads a document for the key’s agent as the multipart/form-data field `file`, with an optional `name` field (sent before `file`) to show instead of the file’s own name. ' +
            'Accepted: PDF, DOCX, HTML, Markdown, plain text and CSV. The type is detected from the content (magic numbers, then a UTF-8/UTF-16 text sniff where the extension tells Markdown, CSV and HTML from plain text); the declared Content-Type is ignored. Another type (an image, a zip, JSON…) is refused with 415 naming the detected type and the accepted ones. ' +
            'The text is extracted during the upload, so problems reach the uploader: a file its parser rejects (a truncated or encrypted PDF…) is 422 `unreadable_file`, a file without text (a scanned PDF without a text layer) is 422 `no_text`, and nothing is kept of either. At most 2,000,000 characters of text are kept (`textTruncated` says when more were cut). ' +
            'The original is kept in the blob store. Larger than the upload limit (the same as `POST /api/v1/File`, 200 MB by default, AGENTRY_FILE_MAX_BYTES): 413. Agent files do not expire. The file is not searchable until `PUT /external/agent-files/{id}/add-to-assistant`. ' +
            SCOPE_NOTE,
          consumes: ['multipart/form-data'],
          body: uploadAgentFileBody,
          response: {
            200: agentFileViewSchema,
            ...authenticatedErrors,
            413: errorBodySchema.describe('The file is larger than the upload limit.'),
            415: errorBodySchema.describe('The body is not multipart/form-data, or the file is not of an accepted type (the message names the detected type).'),
            422: errorBodySchema.describe('The file could not be read (`unreadable_file`) or has no text (`no_text`).'),
          },
        },
      },
      async (request, reply) => {
        try {
          return await upload(deps.agentFiles, request, reply);
        } catch (error) {
          // The rest of the body may still be arriving; closing the connection keeps it out of the next request.
          void reply.header('connection', 'close');
          throw error;
        }
      },
    );
  });

  app.get(
    '/external/agent-files/by-api-key',
    {
      schema: {
        tags,
        security,
        summary: 'List agent files by Agent API key',
        description: `The agent’s files, newest first, by page (\`page\` from 1, \`pageSize\` 1-200, 20 by default), with the totals of the other Agent-key lists. ${SCOPE_NOTE}`,
        querystring: agentFileListQuery,
        response: { 200: agentFilePageSchema, ...authenticatedErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return deps.agentFiles.list(principal.orgId, agentOfKey(principal), request.query);
    },
  );

  app.put(
    '/external/agent-files/:id/add-to-assistant',
    {
      schema: {
        tags,
        security,
        summary: 'Add an agent file to the assistant',
        description:
          'Makes the file searchable by the agent: its text becomes one document (named after the file and its id, `reference` the file id, metadata `agentFileId`, `fileName`, `mimeType`) of the agent’s files collection, which is created on first use (named “<agent name> files”) and added to the agent’s `dataSourceCollections`. The document is Queued until the knowledge pipeline has indexed it; it can be seen with `GET /api/v1/collections/{collectionId}/documents`. ' +
          'Idempotent: calling it again keeps the one document. When the collection or the document was deleted meanwhile, they are made again. The agent may have at most 50 data source collections: a 51st is 409 `agent_collections_full`. ' +
          SCOPE_NOTE,
        params: agentFileIdParams,
        response: { 200: agentFileViewSchema, ...authenticatedErrors, ...notFoundError, 409: errorBodySchema.describe('The agent already has 50 data source collections.') },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return deps.agentFiles.addToAssistant(actorOf(request), agentOfKey(principal), request.params.id);
    },
  );

  app.delete(
    '/external/agent-files/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Delete an agent file',
        description: `Deletes the file, its stored original and the document made of it by add-to-assistant (so retrieval stops finding it). The agent’s files collection stays, attached to the agent. ${SCOPE_NOTE}`,
        params: agentFileIdParams,
        response: { 204: z.null().describe('Deleted.'), ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await deps.agentFiles.delete(actorOf(request), agentOfKey(principal), request.params.id);
      return reply.status(204).send(null);
    },
  );
}

async function upload(agentFiles: AgentFileService, request: FastifyRequest, reply: FastifyReply) {
  const agentId = agentOfKey(principalOf(request));
  const actor = actorOf(request);
  const declared = Number(request.headers['content-length']);
  return receiveUpload(
    request,
    { field: 'file', what: 'the document', before: () => agentFiles.checkDeclaredLength(Number.isFinite(declared) ? declared : undefined) },
    (part) =>
      agentFiles.upload(actor, agentId, { fileName: part.filename, name: nameField(part), content: part.file, signal: requestSignal(reply) }),
  );
}

/** The optional `name` field, which arrives with the file only when sent before it. */
function nameField(part: MultipartFile): string | undefined {
  const field = part.fields.name;
  if (field === undefined) return undefined;
  if (Array.isArray(field) || field.type !== 'field') {
    throw ValidationError.field('body.name', 'invalid_type', 'must be one text field');
  }
  const name = String(field.value).trim();
  if ([...name].length > MAX_NAME_CHARACTERS) {
    throw ValidationError.field('body.name', 'too_big', `must be at most ${MAX_NAME_CHARACTERS} characters`);
  }
  return name === '' ? undefined : name;
}
