import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type FileService, fileIdParams, fileViewSchema, uploadFileBody } from '../../features/files/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { sendDownload } from '../../platform/http/download-reply.js';
import { actorOf, principalOf } from '../shared/authentication.js';
import { authenticatedErrors, errorBodySchema, messageSchema, notFoundError } from '../shared/responses.js';
import { receiveUpload, registerUploadScope } from '../shared/multipart-upload.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface FileRoutesDependencies {
  readonly files: FileService;
}

const tags = ['Organization API: Files'];
const security = contractSecurity.organization;
const binary = z.file().describe('The file content.');

const SCOPE_NOTE =
  'Files belong to the organization: any of its keys, organization-wide or agent-scoped, can upload them and read them by id, since an agent-scoped key needs to attach files to its agent’s turns. Another organization’s file is a 404.';

export function registerFileRoutes(app: AppInstance, deps: FileRoutesDependencies): void {
  registerUploadScope(app, deps.files.maxUploadBytes, (scope) => {

    scope.post(
      '/api/v1/File',
      {
        schema: {
          tags,
          security,
          summary: 'Upload file',
          description: `Uploads a temporary file as the multipart/form-data field \`file\` and returns its \`id\`, \`fileName\` and \`mimeType\` (plus \`size\`, \`createdAt\` and \`expiresAt\`). The file is streamed to storage, never held in memory. Larger than the upload limit (200 MB by default, AGENTRY_FILE_MAX_BYTES): 413. The MIME type is detected from the content (magic numbers; text formats by a UTF-8/UTF-16 sniff, then the extension among txt, md, csv, json, html, xml); the Content-Type the client declares is ignored. Its text (PDF, DOCX, HTML, Markdown, plain text, CSV, JSON) is extracted once in the background and cached for the turns that use it: pass the id in \`fileIds\` to \`POST /api/v1/Agent/{agentId}/response\`. Images (PNG, JPEG, GIF, WebP) reach models as images. The file expires AGENTRY_FILE_TTL_HOURS (24 by default) after upload and is then deleted; it is not added to any knowledge base. ${SCOPE_NOTE}`,
          consumes: ['multipart/form-data'],
          body: uploadFileBody,
          response: {
            200: fileViewSchema,
            ...authenticatedErrors,
            413: errorBodySchema.describe('The file is larger than the upload limit.'),
            415: errorBodySchema.describe('The body is not multipart/form-data.'),
          },
        },
      },
      async (request, reply) => {
        try {
          return await upload(deps.files, request);
        } catch (error) {
          // The rest of the body may still be arriving; closing the connection keeps it out of the next request.
          void reply.header('connection', 'close');
          throw error;
        }
      },
    );

    scope.get(
      '/api/v1/File/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Download file',
          description: `Downloads a file uploaded with \`POST /api/v1/File\`, with its detected Content-Type, Content-Length, \`Content-Disposition: attachment\` (the original name as RFC 6266 \`filename*\`) and a strong ETag (\`If-None-Match\` gives 304). A single byte range (\`Range: bytes=0-1023\`, \`bytes=1024-\`, \`bytes=-500\`) gives 206 with Content-Range, honouring \`If-Range\`; a range outside the file gives 416; several ranges at once get the whole file. ${SCOPE_NOTE}`,
          params: fileIdParams,
          response: {
            200: { description: 'The whole file.', content: { 'application/octet-stream': { schema: binary } } },
            206: { description: 'The requested byte range.', content: { 'application/octet-stream': { schema: binary } } },
            ...authenticatedErrors,
            ...notFoundError,
            416: errorBodySchema.describe('The range lies outside the file; Content-Range gives its size.'),
          },
        },
      },
      async (request, reply) => sendDownload(request, reply, await deps.files.download(principalOf(request).orgId, request.params.id)),
    );

    scope.delete(
      '/api/v1/File/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Delete file',
          description: `Agentry extension: deletes a file before it expires. ${SCOPE_NOTE}`,
          params: fileIdParams,
          response: { 200: messageSchema, ...authenticatedErrors, ...notFoundError },
        },
      },
      async (request) => {
        await deps.files.delete(actorOf(request), request.params.id);
        return { message: 'File deleted.' };
      },
    );
  });
}

async function upload(files: FileService, request: FastifyRequest) {
  const actor = actorOf(request);
  const declared = Number(request.headers['content-length']);
  return receiveUpload(
    request,
    { field: 'file', what: 'the file', before: () => files.checkDeclaredLength(Number.isFinite(declared) ? declared : undefined) },
    (part) => files.upload(actor, { fileName: part.filename, content: part.file }),
  );
}
