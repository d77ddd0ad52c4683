import { registerAgentKeyApi } from './contracts/agent-key-api/index.js';
import { registerConversationsApi } from './contracts/conversations-api/index.js';
import { registerApiDocumentation } from './contracts/operations/api-documentation.js';
import { registerGatewayApi } from './contracts/gateway-api/index.js';
import { registerInferenceApi } from './contracts/inference/index.js';
import { registerOperationsRoutes } from './contracts/operations/operations.routes.js';
import { registerOrganizationApi } from './contracts/organization-api/index.js';
import { createAuthenticator } from './contracts/shared/authentication.js';
import type { Container } from './container.js';
import { type AppInstance, createServer } from './platform/http/create-server.js';
import { DirectRoutes } from './platform/http/direct-routes.js';
import { version } from './version.js';

/** Builds the HTTP app: every contract, listed here so the whole surface is visible in one place. */
export async function buildApp(container: Container): Promise<AppInstance> {
  const httpOptions = { logger: container.logger, metrics: container.metrics, bodyLimitBytes: container.config.server.bodyLimitBytes };
  const directRoutes = new DirectRoutes(httpOptions);
  const app = createServer({ ...httpOptions, directRoutes });
  app.decorateRequest('principal', null);
  await registerApiDocumentation(app, version);

  const authenticate = createAuthenticator(container.apiKeys);
  registerOperationsRoutes(app, { database: container.database, metrics: container.metrics });
  registerGatewayApi(app, { authenticate, aiGateways: container.aiGateways, organizations: container.organizations, apiKeys: container.apiKeys, usage: container.usage, memories: container.memories, skills: container.skills, collections: container.collections, documents: container.documents, knowledgeSearch: container.knowledgeSearch });
  registerOrganizationApi(app, { authenticate, agents: container.agents, audit: container.audit, connections: container.connections, files: container.files, conversations: container.conversations, turns: container.turns, collections: container.collections });
  registerAgentKeyApi(app, { authenticate, agents: container.agents, conversations: container.conversations, turns: container.turns, agentFiles: container.agentFiles });
  registerConversationsApi(app, {
    authenticate,
    conversations: container.conversations,
    turns: container.turns,
    ssePingIntervalMs: container.config.ssePingIntervalMs,
  });
  registerInferenceApi(app, {
    authenticate,
    chatCompletions: container.chatCompletions,
    agentCompletions: container.agentCompletions,
    modelCatalog: container.modelCatalog,
    aiGateways: container.aiGateways,
    organizations: container.organizations,
    ssePingIntervalMs: container.config.ssePingIntervalMs,
    directRoutes,
  });

  await app.ready();
  return app;
}
