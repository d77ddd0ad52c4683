import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { AppInstance } from '../../platform/http/create-server.js';
import { securitySchemes } from '../shared/security-schemes.js';

const DESCRIPTION = `Agentry is a self-hosted AI agent platform. It speaks five API contracts over one core:

- **OpenAI-compatible inference** under \`/v1\` (\`Authorization: Bearer\` or \`?api-key=\`).
- **Gateway API** under lower-case \`/api/v1/...\` paths (\`Authorization: Bearer\` or \`?api-key=\`).
- **Organization API** under Pascal-case \`/api/v1/...\` paths (\`X-Api-Key\` with \`X-Org-Id\`).
- **Conversations API** under \`/tenants/{tenantId}/api/v2/...\` (\`Authorization: Bearer\`).
- **Agent-key API** under \`/external/...\` (\`Agent-Secret-Key\` or \`Organization-Secret-Key\`).

Every route accepts every credential style; the key decides what the caller may do. An agent-scoped key gets 403 outside its agent; another organization's resource is always 404.

Errors have the body \`{ "error": { "code", "message", "details" } }\` (OpenAI's error shape under \`/v1\`). Every response carries \`X-Correlation-Id\` (the client's, when sent), which also appears in the audit log.`;

/**
 * Registers the OpenAPI 3.1 document, generated from the same Zod schemas that
 * validate requests, at `/openapi.json`, and a browsable reference at `/docs`.
 * Must be registered before any route so that every route is collected.
 */
export async function registerApiDocumentation(app: AppInstance, version: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Agentry API', version, description: DESCRIPTION },
      components: { securitySchemes },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
