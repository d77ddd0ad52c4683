import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorActor } from '../src/platform/actor.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface GatewayView {
  id: string;
  name: string;
  slug: string;
  parameters: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}
interface GatewaySummary {
  id: string;
  name: string;
  inferenceEndpoint: string;
  modelName: string;
  slug: string;
}
interface AuditDetail {
  changeType: string;
  changedProperties: Array<{ propertyName: string; oldValue: unknown; newValue: unknown }>;
}
type ErrorBody = { error: { code: string; message: string; details?: Array<{ field: string; rule: string }> } };

const PROVIDER_KEY = 'sk-provider-secret-77aa';
const ROTATED_KEY = 'sk-provider-secret-88bb';

/** Every kind of field the spec defines, plus fields it does not (yet): all must come back as sent. */
const fullParameters = {
  baseAddress: 'http://127.0.0.1:9/v1',
  modelName: 'gpt-4o-mini',
  apiKey: PROVIDER_KEY,
  skills: [{ id: 's1' }],
  hideToolsWithoutSkill: true,
  alwaysVisibleTools: ['search'],
  enableBash: true,
  bashOptions: { allowDataPersistence: false, toolList: ['ls'], toolExclusionMode: 'BlackList', futureBashField: 1 },
  knowledgeCollections: ['019ab6f0-0000-7000-8000-000000000001'],
  knowledgeBaseMaximumResults: 5,
  knowledgeBaseMinimumScore: 0.4,
  knowledgeUseReferences: true,
  knowledgeUseMetaDescriptions: false,
  queryStrategy: 'FullRewrite',
  queryStrategyParameters: { rewriteContextSize: 4, concatenateContextSize: 2 },
  temperature: 0.3,
  topP: 0.9,
  presencePenalty: 0,
  frequencyPenalty: -1.5,
  stop: 'END',
  maxCompletionTokens: 1024,
  contextMaximumSize: 32000,
  contextOverflowAction: 'Truncate',
  systemInstruction: 'You are Acme’s assistant.',
  workerScriptSource: null,
  userPromptTemplate: 'Question: {{prompt}}',
  assistantPrefill: null,
  includePrefillingInMessages: false,
  reasoningEffort: 'low',
  verbosity: null,
  flags: ['NoStopParameter', 'StrictUserAssistantTurns'],
  tools: null,
  protocolFunctions: [{ name: 'lookup', description: 'Looks up', headers: { 'x-a': 'b' }, callbackUrl: 'https://tools.example/cb', contentFormat: { type: 'object' } }],
  protocolFunctionSources: ['https://tools.example/functions'],
  mcpSources: [{ name: 'docs', description: null, url: 'https://mcp.example/sse', headers: {}, cacheDuration: 600 }],
  systemInstructionsSources: [{ name: 'policy', url: 'https://policy.example/text', cacheDuration: 60 }],
  enabledMultimodalFeatures: ['Image', 'File'],
  toolContextCount: 3,
  sentinelOptions: { enabledFunctions: ['WebSearch', 'Calendar'] },
  builtinFunctionsOptions: { webSearchMode: 'Summarized', webSearchMaxResults: 5, imageGenerationQuality: 'High', imageGenerationModelName: null },
  moderationParameters: { violenceThreshold: 2, jailbreakThreshold: 1 },
  knownToolHandlerName: null,
  toolInvocationExplanations: true,
  modelRoutingParameters: {
    lowComplexityModelName: 'gpt-4o-mini',
    lowComplexityModelReasoningEffort: null,
    mediumComplexityModelName: 'gpt-4o',
    highComplexityModelName: 'o3',
    highComplexityModelReasoningEffort: 'high',
  },
  additionalSettings: { seed: 7, nested: { deep: [1, 2] } },
  limits: { requestsPerMinute: 60, tokensPerDay: 100000 },
  fallbackModels: ['@groq/llama-3.3-70b', '@local/qwen3:8b'],
  somethingNew: { fromTheFuture: ['x', { y: true }] },
};

describe.each(dialects)('AI gateways (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;
  let otherKey: string;
  let gatewayId: string;

  beforeAll(async () => {
    server = await startTestServer(dialect, { AGENTRY_OUTBOUND_ALLOW: '127.0.0.0/8' });
    http = httpClient(server.url);
    otherKey = (await server.server.container.organizations.create({ name: 'Other' })).apiKey.secret;
  });
  afterAll(() => server?.close());

  const create = (body: Record<string, unknown>, key = server.adminKey) => http.post<{ aiGatewayId: string } & ErrorBody>('/api/v1/ai-gateways', { key, body });
  const view = (id: string, key = server.adminKey) => http.get<GatewayView & ErrorBody>(`/api/v1/ai-gateways/${id}`, { key });
  const patch = (id: string, body: Record<string, unknown>, key = server.adminKey) =>
    http.patch<GatewayView & ErrorBody>(`/api/v1/ai-gateways/${id}`, { key, body });
  const storedKey = async (id: string) =>
    (await server.server.container.database.handle.selectFrom('ai_gateways').select('api_key').where('id', '=', id).executeTakeFirstOrThrow()).api_key;

  async function auditOf(id: string, changeType: string): Promise<AuditDetail> {
    const list = await http.get<{ items: Array<{ id: string; changeType: string }> }>(`/api/v1/AuditLog?entityType=AiGateway&entityId=${id}`, { key: server.adminKey });
    const event = list.body.items.find((item) => item.changeType === changeType);
    expect(event, `${changeType} event`).toBeDefined();
    return (await http.get<AuditDetail>(`/api/v1/AuditLog/${event?.id}`, { key: server.adminKey })).body;
  }

  it('creates a gateway whose parameters round-trip as sent, unknown and nested fields included', async () => {
    const created = await create({ name: 'Support Bot', parameters: fullParameters });
    expect(created.status).toBe(200);
    expect(Object.keys(created.body)).toEqual(['aiGatewayId']);
    gatewayId = created.body.aiGatewayId;

    const fetched = await view(gatewayId);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ id: gatewayId, name: 'Support Bot', slug: 'support-bot' });
    expect(fetched.body.parameters).toEqual({ ...fullParameters, apiKey: '********' });
    expect(fetched.body.createdAt).toBe(fetched.body.updatedAt);
  });

  it('keeps the provider key sealed: never returned, not in the audit log, still usable by the server', async () => {
    expect(JSON.stringify((await view(gatewayId)).body)).not.toContain(PROVIDER_KEY);
    expect(JSON.stringify((await http.get('/api/v1/ai-gateways', { key: server.adminKey })).body)).not.toContain(PROVIDER_KEY);
    const sealed = await storedKey(gatewayId);
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain(PROVIDER_KEY);
    const resolved = await server.server.container.aiGateways.resolve(server.orgId, 'support-bot');
    expect(resolved.parameters.apiKey).toBe(PROVIDER_KEY);

    const created = await auditOf(gatewayId, 'Created');
    expect(JSON.stringify(created)).not.toContain(PROVIDER_KEY);
    expect(created.changedProperties).toContainEqual({ propertyName: 'parameters.apiKey', oldValue: null, newValue: '***' });
    expect(created.changedProperties).toContainEqual({ propertyName: 'parameters.bashOptions.toolExclusionMode', oldValue: null, newValue: 'BlackList' });
  });

  it('lists gateways with their inference endpoint and filters by name, model name, slug or id', async () => {
    const viaConnection = await create({ name: 'Routed', slug: 'routed-gw', parameters: { baseAddress: '', modelName: '@groq/llama-3.3-70b' } });
    expect(viaConnection.status).toBe(200);
    const all = await http.get<GatewaySummary[]>('/api/v1/ai-gateways', { key: server.adminKey });
    expect(all.status).toBe(200);
    expect(all.body).toEqual([
      { id: viaConnection.body.aiGatewayId, name: 'Routed', inferenceEndpoint: '/v1/chat/completions', modelName: '@groq/llama-3.3-70b', slug: 'routed-gw' },
      { id: gatewayId, name: 'Support Bot', inferenceEndpoint: '/v1/chat/completions', modelName: 'gpt-4o-mini', slug: 'support-bot' },
    ]);
    const names = async (filter: string) =>
      (await http.get<GatewaySummary[]>(`/api/v1/ai-gateways?filter=${encodeURIComponent(filter)}`, { key: server.adminKey })).body.map((item) => item.name);
    expect(await names('SUPPORT')).toEqual(['Support Bot']);
    expect(await names('llama')).toEqual(['Routed']);
    expect(await names('routed-gw')).toEqual(['Routed']);
    expect(await names(gatewayId)).toEqual(['Support Bot']);
    expect(await names('nothing-matches')).toEqual([]);
  });

  it('derives a free slug from the name and refuses a slug already taken', async () => {
    const twin = await create({ name: 'Support bot!', parameters: { baseAddress: '', modelName: '@groq/m' } });
    expect((await view(twin.body.aiGatewayId)).body.slug).toBe('support-bot-2');
    const taken = await create({ name: 'Other', slug: 'support-bot', parameters: { baseAddress: '', modelName: '@groq/m' } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('ai_gateway_slug_taken');
    expect((await patch(twin.body.aiGatewayId, { slug: 'routed-gw' })).status).toBe(409);
  });

  it('merges PATCHed parameters at the top level and audits what changed', async () => {
    const before = (await view(gatewayId)).body;
    const updated = await patch(gatewayId, {
      name: 'Support Bot v2',
      parameters: { temperature: 1.1, bashOptions: { toolExclusionMode: 'WhiteList' }, stop: null, anotherNewField: 42 },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.name).toBe('Support Bot v2');
    expect(updated.body.slug).toBe('support-bot');
    expect(updated.body.parameters).toEqual({
      ...before.parameters,
      temperature: 1.1,
      bashOptions: { toolExclusionMode: 'WhiteList' },
      stop: null,
      anotherNewField: 42,
    });
    expect((await view(gatewayId)).body).toEqual(updated.body);
    expect(updated.body.updatedAt > before.updatedAt).toBe(true);

    const audit = await auditOf(gatewayId, 'Updated');
    expect(audit.changedProperties).toEqual(
      expect.arrayContaining([
        { propertyName: 'name', oldValue: 'Support Bot', newValue: 'Support Bot v2' },
        { propertyName: 'parameters.temperature', oldValue: 0.3, newValue: 1.1 },
        { propertyName: 'parameters.stop', oldValue: 'END', newValue: null },
        { propertyName: 'parameters.bashOptions.futureBashField', oldValue: 1, newValue: null },
        { propertyName: 'parameters.anotherNewField', oldValue: null, newValue: 42 },
      ]),
    );
    expect(audit.changedProperties.map((change) => change.propertyName)).not.toContain('parameters.apiKey');
  });

  it('keeps the key when PATCH sends the mask, replaces it with a new one and removes it with null', async () => {
    const sealed = await storedKey(gatewayId);
    const masked = await patch(gatewayId, { parameters: { ...(await view(gatewayId)).body.parameters, topP: 0.5 } });
    expect(masked.status).toBe(200);
    expect(masked.body.parameters.apiKey).toBe('********');
    expect(await storedKey(gatewayId)).toBe(sealed);

    expect((await patch(gatewayId, { parameters: { apiKey: ROTATED_KEY } })).body.parameters.apiKey).toBe('********');
    expect((await server.server.container.aiGateways.resolve(server.orgId, gatewayId)).parameters.apiKey).toBe(ROTATED_KEY);
    const rotation = await auditOf(gatewayId, 'Updated');
    expect(JSON.stringify(rotation)).not.toContain('sk-provider-secret');

    const removed = await patch(gatewayId, { parameters: { apiKey: null } });
    expect(removed.body.parameters.apiKey).toBeNull();
    expect((await view(gatewayId)).body.parameters.apiKey).toBeNull();
    expect(await storedKey(gatewayId)).toBeNull();
  });

  it('changes nothing and records nothing when a PATCH sends the stored values', async () => {
    const current = (await view(gatewayId)).body;
    const again = await patch(gatewayId, { name: current.name, parameters: { temperature: current.parameters.temperature } });
    expect(again.body.updatedAt).toBe(current.updatedAt);
  });

  it('hides gateways from other organizations: 404 on view, edit and delete, absent from their list', async () => {
    expect((await view(gatewayId, otherKey)).status).toBe(404);
    expect((await patch(gatewayId, { name: 'stolen' }, otherKey)).status).toBe(404);
    expect((await http.delete(`/api/v1/ai-gateways/${gatewayId}`, { key: otherKey })).status).toBe(404);
    expect((await http.get<GatewaySummary[]>('/api/v1/ai-gateways', { key: otherKey })).body).toEqual([]);
    expect((await view(gatewayId)).body.name).toBe('Support Bot v2');
  });

  it('refuses agent-scoped keys', async () => {
    const { database, apiKeys } = server.server.container;
    const agentKey = await database.handle
      .transaction()
      .execute((transaction) => apiKeys.issue(transaction, operatorActor(server.orgId, 'test'), { label: 'agent', agentId: gatewayId }));
    const response = await http.get<ErrorBody>('/api/v1/ai-gateways', { key: agentKey.secret });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('key_scope');
  });

  it('deletes a gateway and audits the deletion without the key', async () => {
    expect((await patch(gatewayId, { parameters: { apiKey: PROVIDER_KEY } })).status).toBe(200);
    const deleted = await http.delete<{ message: string }>(`/api/v1/ai-gateways/${gatewayId}`, { key: server.adminKey });
    expect(deleted.status).toBe(200);
    expect((await view(gatewayId)).status).toBe(404);
    expect((await patch(gatewayId, { name: 'x' })).status).toBe(404);
    const audit = await auditOf(gatewayId, 'Deleted');
    expect(audit.changedProperties).toContainEqual({ propertyName: 'parameters.apiKey', oldValue: '***', newValue: null });
    expect(JSON.stringify(audit)).not.toContain(PROVIDER_KEY);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const document = await http.get<{ paths: Record<string, Record<string, { description?: string }>> }>('/openapi.json');
    expect(document.body.paths['/api/v1/ai-gateways']?.post?.description).toContain('fallbackModels');
    expect(document.body.paths['/api/v1/ai-gateways']?.get?.description).toContain('/v1/chat/completions');
    expect(Object.keys(document.body.paths['/api/v1/ai-gateways/{id}'] ?? {})).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
  });
});
