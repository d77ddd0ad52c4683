import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  type SkillService,
  clearResultSchema,
  importResultSchema,
  importSkillsBody,
  skillBody,
  skillIdParams,
  skillSummarySchema,
  skillViewSchema,
  updateSkillBody,
} from '../../features/skills/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { requestSignal } from '../../platform/http/request-signal.js';
import { actorOf, principalOf, requireOrganizationScope } from '../shared/authentication.js';
import { authenticatedErrors, errorBodySchema, messageSchema, notFoundError } from '../shared/responses.js';
import { receiveUpload, registerUploadScope } from '../shared/multipart-upload.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface SkillRoutesDependencies {
  readonly skills: SkillService;
}

const tags = ['Gateway API: Skills'];
const security = contractSecurity.gateway;
const conflict = { 409: errorBodySchema.describe('Another skill of the organization has that slug.') } as const;

const SCOPE_NOTE =
  'Skills belong to the organization: agent-scoped keys get 403, and another organization’s skill is a 404.';
const BODY_NOTE =
  '`slug` (required on create): 1-64 lower-case letters, digits or dashes, starting and ending with a letter or digit, unique in the organization; agents list their skills by it. `instructions` (required on create, at most 100,000 characters) is what the model gets when it loads the skill; `description` is what the model sees in the catalog before loading it. `options.instructionSources` (at most 20): `name` and an http(s) `url` are required; `headers` are sent when the source is fetched and `cacheDuration` is in seconds. The sources are fetched when the skill is loaded, under the outbound address policy, and their text is appended to the instructions. `options.allowedToolsNames`: tools the skill reveals (with the agent’s `hideToolsWithoutSkill`, they stay hidden until the skill is loaded); duplicates are dropped. Unknown fields are refused with 400 naming them. Header values are stored as sent and returned by reads and exports.';
const LINE_FORMAT =
  'Each line is one JSON object of the same shape as the body of `POST /api/v1/skills`: `slug` and `instructions` at least, plus `description` and `options` (`instructionSources`, `allowedToolsNames`).';

export function registerSkillRoutes(app: AppInstance, deps: SkillRoutesDependencies): void {
  registerSkillCrudRoutes(app, deps);
  registerSkillManagementRoutes(app, deps);
  registerUploadScope(app, deps.skills.maxImportBytes, (scope) => registerSkillImportRoute(scope, deps));
}

function registerSkillCrudRoutes(app: AppInstance, deps: SkillRoutesDependencies): void {
  app.get(
    '/api/v1/skills',
    {
      schema: {
        tags,
        security,
        summary: 'List skills',
        description: `Every skill of the organization, by slug, without its instructions. \`allowedToolsCount\` is the length of \`options.allowedToolsNames\`. ${SCOPE_NOTE}`,
        response: { 200: z.array(skillSummarySchema), ...authenticatedErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return deps.skills.list(principal.orgId);
    },
  );

  app.post(
    '/api/v1/skills',
    {
      schema: {
        tags,
        security,
        summary: 'Create skill',
        description: `Creates a skill and returns it as \`GET /api/v1/skills/{id}\` shows it (with its \`id\`). ${BODY_NOTE} ${SCOPE_NOTE}`,
        body: skillBody,
        response: { 200: skillViewSchema, ...authenticatedErrors, ...conflict },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      return deps.skills.create(actorOf(request), request.body);
    },
  );

  app.get(
    '/api/v1/skills/:id',
    {
      schema: {
        tags,
        security,
        summary: 'View skill',
        description: `One skill: the fields of the create body (absent ones filled in: \`description\` null, empty \`options\` lists, \`headers\` {}), plus \`id\`, \`createdAt\`, \`updatedAt\` and \`allowedToolsCount\`. ${SCOPE_NOTE}`,
        params: skillIdParams,
        response: { 200: skillViewSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return deps.skills.get(principal.orgId, request.params.id);
    },
  );

  app.put(
    '/api/v1/skills/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Update skill',
        description: `Changes the fields sent, with the rules of the create body; like the other PUTs of Agentry it is a merge: a field left out keeps its value, \`description: null\` clears it, and each of \`options.instructionSources\` and \`options.allowedToolsNames\` sent replaces that whole list. So a full create body replaces the whole skill, and a GET body can be sent back as is (\`id\`, \`createdAt\`, \`updatedAt\` and \`allowedToolsCount\` are ignored). The slug may change, to one no other skill of the organization has. A body that changes nothing writes nothing and records no audit event. Returns the skill as GET shows it. ${BODY_NOTE} ${SCOPE_NOTE}`,
        params: skillIdParams,
        body: updateSkillBody,
        response: { 200: skillViewSchema, ...authenticatedErrors, ...notFoundError, ...conflict },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      return deps.skills.update(actorOf(request), request.params.id, request.body);
    },
  );

  app.delete(
    '/api/v1/skills/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Delete skill',
        description: `Deletes the skill. Agents that list its slug no longer offer it. ${SCOPE_NOTE}`,
        params: skillIdParams,
        response: { 200: messageSchema, ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      await deps.skills.delete(actorOf(request), request.params.id);
      return { message: 'Skill deleted.' };
    },
  );
}

function registerSkillManagementRoutes(app: AppInstance, deps: SkillRoutesDependencies): void {
  app.delete(
    '/api/v1/skills/management/clear',
    {
      schema: {
        tags,
        security,
        summary: 'Clear skills',
        description: `Deletes every skill of the organization in one transaction and returns how many were removed (\`removedCount\`). Each removed skill gets its own \`Deleted\` audit event, as if deleted alone. ${SCOPE_NOTE}`,
        response: { 200: clearResultSchema, ...authenticatedErrors },
      },
    },
    async (request) => {
      requireOrganizationScope(principalOf(request));
      const { removedCount } = await deps.skills.clear(actorOf(request));
      return { message: 'Skills cleared.', removedCount };
    },
  );

  app.get(
    '/api/v1/skills/management/export.jsonl',
    {
      schema: {
        tags,
        security,
        summary: 'Export skills (JSONL)',
        description: `Streams every skill of the organization as \`application/x-ndjson\` (an attachment named \`skills.jsonl\`), one JSON object per line, by slug: \`slug\`, \`description\`, \`instructions\` and \`options\` (\`instructionSources\`, \`allowedToolsNames\`) — exactly what \`POST /api/v1/skills/management/import\` reads, so an export imported into an empty organization gives the same skills. Rows are read a page at a time, never all at once; an organization without skills gives an empty body. ${SCOPE_NOTE}`,
        response: {
          200: {
            description: 'One skill per line.',
            content: { 'application/x-ndjson': { schema: z.string().describe('JSON Lines.') } },
          },
          ...authenticatedErrors,
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      return sendJsonLines(reply, 'skills.jsonl', deps.skills.exportJsonl(principal.orgId, { signal: requestSignal(reply) }));
    },
  );
}

function registerSkillImportRoute(app: AppInstance, deps: SkillRoutesDependencies): void {
  app.post(
    '/api/v1/skills/management/import',
    {
      schema: {
        tags,
        security,
        summary: 'Import skills (JSONL)',
        description: `Imports skills from a JSONL file sent as the multipart/form-data field \`skills\` (UTF-8, LF or CRLF line ends; blank lines are ignored). ${LINE_FORMAT} The import is all or nothing: every line is checked first, and if any is invalid — not JSON, not an object, a field breaking the rules of the create body, or a slug repeated in the file — nothing is written and the answer is 400 \`skills_import_invalid\` whose \`details.lines\` lists \`{ line, field, rule, message }\` (line numbers count every line from 1; \`field\` is relative to the line's object, empty for the whole line; at most 100 are listed, \`details.invalidLineCount\` counts them all). A slug the organization already has is skipped, and the stored skill kept unchanged: \`skipped\` counts those lines and \`skippedSlugs\` names them. The other skills are written in one transaction before the response, so \`enqueued\` (also given as \`imported\`) is the number of skills created. At most 10,000 skills and 16 MiB per file (413 beyond). Each created skill gets its own \`Created\` audit event. ${SCOPE_NOTE}`,
        consumes: ['multipart/form-data'],
        body: importSkillsBody,
        response: {
          200: importResultSchema,
          ...authenticatedErrors,
          413: errorBodySchema.describe('The file is larger than the import limit.'),
          415: errorBodySchema.describe('The body is not multipart/form-data.'),
        },
      },
    },
    async (request, reply) => {
      try {
        requireOrganizationScope(principalOf(request));
        return await importFrom(deps.skills, request);
      } catch (error) {
        // The rest of the body may still be arriving; closing the connection keeps it out of the next request.
        void reply.header('connection', 'close');
        throw error;
      }
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

async function importFrom(skills: SkillService, request: FastifyRequest) {
  const actor = actorOf(request);
  return receiveUpload(request, { field: 'skills', what: 'the JSONL file' }, (part) => skills.importJsonl(actor, part.file));
}
