import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type ApiResponse, type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface AgentView {
  id: string;
  name: string;
  slug: string;
  connectionId: string | null;
  modelName: string;
  modelParameters: { temperature: number | null; topP: number | null; maxTokens: number | null };
  subAgents: string[];
  [field: string]: unknown;
}
interface AgentPage {
  items: Array<{ id: string; name: string; createdAt: string; isPublic: boolean; icon: string | null; iconColor: string | null; modelName: string }>;
  totalCount: number;
}
interface GatewayView {
  id: string;
  name: string;
  parameters: Record<string, unknown>;
  profile: Record<string, unknown>;
}
interface IssuedKey {
  id: string;
  agentId: string;
  label: string;
  key: string;
  expiresAt: string | null;
  secret: string;
}
interface AuditDetail {
  changeType: string;
  changedProperties: Array<{ propertyName: string; oldValue: unknown; newValue: unknown }>;
}
type ErrorBody = { error: { code: string; message: string; details?: Array<{ field: string; rule: string }> } };

const fullAgent = {
  name: 'Support agent',
  description: 'Answers questions about Acme products.',
  systemMessage: 'You are Acme support. Be brief.',
  initialMessage: 'Hi! How can I help?',
  modelName: 'llama-3.3-70b',
  modelParameters: { temperature: 0.3, topP: 0.9, maxTokens: 1024 },
  reasoningEffort: 'low',
  dataSourceCollections: [{ id: 'collection-1', maxChunks: 5, relevanceThreshold: 0.4 }],
  sharedTools: ['web-search'],
  privateTools: [{ name: 'lookup_order', callbackUrl: 'https://tools.example/order' }],
  subAgents: [] as string[],
  isPublic: true,
  publicChat: true,
  widgetSettings: { primaryColor: '#112233', suggestionButtons: [{ label: 'Orders', prompt: 'Where is my order?' }] },
  enableFeedback: true,
  enableFileUpload: false,
  icon: 'https://cdn.acme.example/ada.png',
  iconColor: '#1e88e5',
};

describe.each(dialects)('agents (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;
  let other: { key: string; orgId: string };
  let groqId: string;
  let agentId: string;

  beforeAll(async () => {
    server = await startTestServer(dialect, { AGENTRY_OUTBOUND_ALLOW: '127.0.0.0/8' });
    http = httpClient(server.url);
    const created = await server.server.container.organizations.create({ name: 'Other' });
    other = { key: created.apiKey.secret, orgId: created.organization.id };
  });
  afterAll(() => server?.close());

  /** Organization API credentials: X-Api-Key with X-Org-Id. */
  const orgHeaders = (key = server.adminKey, orgId = server.orgId) => ({ 'x-api-key': key, 'x-org-id': orgId });
  const createAgent = (body: Record<string, unknown>, key = server.adminKey) =>
    http.post<AgentView & ErrorBody>('/api/v1/Agent', { headers: orgHeaders(key), body });
  const getAgent = (id: string, key = server.adminKey) => http.get<AgentView & ErrorBody>(`/api/v1/Agent/${id}`, { key });
  const putAgent = (id: string, body: Record<string, unknown>, key = server.adminKey) => http.put<AgentView & ErrorBody>(`/api/v1/Agent/${id}`, { key, body });
  const gateway = (id: string) => http.get<GatewayView & ErrorBody>(`/api/v1/ai-gateways/${id}`, { key: server.adminKey });
  const byApiKey = (key: string) => http.get<Record<string, unknown> & ErrorBody>('/external/agents/by-api-key', { headers: { 'agent-secret-key': key } });
  const issueKey = (id: string, body: Record<string, unknown> = { label: 'widget' }, key = server.adminKey) =>
    http.post<IssuedKey & ErrorBody>(`/api/v1/Agent/${id}/api-keys`, { key, body });
  const agentCount = async () => (await http.get<AgentPage>('/api/v1/Agent', { key: server.adminKey })).body.totalCount;

  function expectRefused(response: ApiResponse<ErrorBody>, field: string): void {
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.error.details?.map((problem) => problem.field)).toContain(field);
    expect(response.body.error.message).toContain(field);
  }

  async function auditOf(entityType: string, id: string, changeType: string): Promise<AuditDetail> {
    const list = await http.get<{ items: Array<{ id: string; changeType: string }> }>(`/api/v1/AuditLog?entityType=${entityType}&entityId=${id}`, {
      key: server.adminKey,
    });
    const event = list.body.items.find((item) => item.changeType === changeType);
    expect(event, `${changeType} event of ${entityType} ${id}`).toBeDefined();
    return (await http.get<AuditDetail>(`/api/v1/AuditLog/${event?.id}`, { key: server.adminKey })).body;
  }

  it('refuses a model without a connection while the organization has no default connection', async () => {
    expectRefused(await createAgent({ name: 'No connection', modelName: 'gpt-4o-mini' }), 'body.connectionId');
    expect(await agentCount()).toBe(0);
  });

  it('creates an agent whose fields come back as sent, and which is an AI gateway', async () => {
    const connection = await http.post<{ id: string }>('/api/v1/Connection', {
      headers: orgHeaders(),
      body: { name: 'groq', type: 'OpenAiCompatible', baseUrl: 'http://127.0.0.1:9/v1' },
    });
    groqId = connection.body.id;
    const created = await createAgent({ ...fullAgent, connectionId: groqId });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    agentId = created.body.id;
    expect(created.body).toMatchObject({ ...fullAgent, connectionId: groqId, status: 'active', publicName: null, role: null, tags: null, slug: 'support-agent' });
    expect((await getAgent(agentId)).body).toEqual(created.body);

    const viewed = await gateway(agentId);
    expect(viewed.status).toBe(200);
    expect(viewed.body.parameters).toMatchObject({
      baseAddress: '',
      modelName: '@groq/llama-3.3-70b',
      systemInstruction: fullAgent.systemMessage,
      temperature: 0.3,
      topP: 0.9,
      maxCompletionTokens: 1024,
      reasoningEffort: 'low',
    });
    expect(viewed.body.profile).toMatchObject({ description: fullAgent.description, initialMessage: fullAgent.initialMessage, widgetSettings: fullAgent.widgetSettings });
    const resolved = await server.server.container.aiGateways.resolve(server.orgId, 'support-agent');
    expect(resolved.profile).toMatchObject({ initialMessage: 'Hi! How can I help?', enableFeedback: true });

    const gateways = await http.get<Array<{ id: string; modelName: string }>>('/api/v1/ai-gateways', { key: server.adminKey });
    expect(gateways.body).toContainEqual(expect.objectContaining({ id: agentId, modelName: '@groq/llama-3.3-70b' }));
    const list = await http.get<AgentPage>('/api/v1/Agent', { headers: orgHeaders() });
    expect(list.body.items).toEqual([
      { id: agentId, name: 'Support agent', createdAt: created.body.createdAt, isPublic: true, icon: fullAgent.icon, iconColor: '#1e88e5', modelName: 'llama-3.3-70b' },
    ]);
  });

  it('names the connection by id, by name, in modelName, or falls back to the default connection', async () => {
    const byName = await createAgent({ name: 'By name', connectionId: 'groq', modelName: 'm1' });
    expect(byName.body).toMatchObject({ connectionId: groqId, modelName: 'm1' });
    const inModel = await createAgent({ name: 'In model', modelName: '@groq/m2' });
    expect(inModel.body).toMatchObject({ connectionId: groqId, modelName: 'm2' });

    const local = await http.post<{ id: string }>('/api/v1/Connection', {
      headers: orgHeaders(),
      body: { name: 'local', type: 'OpenAiCompatible', baseUrl: 'http://127.0.0.1:9/v1', isDefault: true },
    });
    const byDefault = await createAgent({ name: 'By default', modelName: 'qwen3:8b' });
    expect(byDefault.status).toBe(201);
    expect(byDefault.body).toMatchObject({ connectionId: local.body.id, modelName: 'qwen3:8b' });
    expect((await gateway(byDefault.body.id)).body.parameters.modelName).toBe('@local/qwen3:8b');
    for (const agent of [byName, inModel, byDefault]) await http.delete(`/api/v1/Agent/${agent.body.id}`, { key: server.adminKey });
  });

  it('updates only the fields sent, keeping connection or model when the other changes', async () => {
    const before = (await getAgent(agentId)).body;
    const updated = await putAgent(agentId, { modelParameters: { temperature: 0.8, topP: null }, description: null, tags: ['eu'] });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({
      ...before,
      modelParameters: { temperature: 0.8, topP: null, maxTokens: 1024 },
      description: null,
      tags: ['eu'],
      updatedAt: updated.body.updatedAt,
    });
    expect((await putAgent(agentId, { modelName: 'llama-3.1-8b' })).body).toMatchObject({ connectionId: groqId, modelName: 'llama-3.1-8b' });
    expect((await putAgent(agentId, { connectionId: 'local' })).body).toMatchObject({ modelName: 'llama-3.1-8b' });
    expect((await gateway(agentId)).body.parameters.modelName).toBe('@local/llama-3.1-8b');
    const restored = await putAgent(agentId, { ...before, connectionId: groqId, modelName: 'llama-3.3-70b' });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ connectionId: groqId, modelName: 'llama-3.3-70b', description: fullAgent.description });
  });

  it('shows a gateway made on the Gateway API as an agent with defaults, and agent edits on the gateway', async () => {
    const made = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: { name: 'Raw gateway', parameters: { baseAddress: 'http://127.0.0.1:9/v1', modelName: 'gpt-4o-mini', apiKey: 'sk-provider-1' }, profile: { role: 'Router' } },
    });
    const id = made.body.aiGatewayId;
    const list = await http.get<AgentPage>('/api/v1/Agent?search=raw', { key: server.adminKey });
    expect(list.body.items).toEqual([expect.objectContaining({ id, isPublic: false, icon: null, iconColor: null, modelName: 'gpt-4o-mini' })]);
    expect((await getAgent(id)).body).toMatchObject({
      connectionId: null,
      modelName: 'gpt-4o-mini',
      systemMessage: null,
      modelParameters: { temperature: null, topP: null, maxTokens: null },
      subAgents: [],
      enableFeedback: false,
      widgetSettings: null,
      role: 'Router',
      status: 'active',
    });

    expect((await putAgent(id, { modelName: 'gpt-4o', icon: 'robot' })).body).toMatchObject({ connectionId: null, modelName: 'gpt-4o', icon: 'robot' });
    expect((await gateway(id)).body).toMatchObject({
      parameters: { baseAddress: 'http://127.0.0.1:9/v1', modelName: 'gpt-4o', apiKey: '********' },
      profile: { role: 'Router', icon: 'robot' },
    });
    // Moving to a connection drops the provider key the base address needed.
    expect((await putAgent(id, { connectionId: 'groq' })).body).toMatchObject({ connectionId: groqId, modelName: 'gpt-4o' });
    expect((await gateway(id)).body.parameters).toMatchObject({ baseAddress: '', modelName: '@groq/gpt-4o', apiKey: null });
    await http.delete(`/api/v1/ai-gateways/${id}`, { key: server.adminKey });
  });

  it.each([
    ['a missing name', { name: undefined }, 'body.name'],
    ['a missing model', { modelName: undefined }, 'body.modelName'],
    ['a temperature above 2', { modelParameters: { temperature: 3 } }, 'body.modelParameters.temperature'],
    ['a fractional maxTokens', { modelParameters: { maxTokens: 1.5 } }, 'body.modelParameters.maxTokens'],
    ['an unknown status', { status: 'paused' }, 'body.status'],
    ['a relevance threshold above 1', { dataSourceCollections: [{ id: 'c', relevanceThreshold: 2 }] }, 'body.dataSourceCollections.0.relevanceThreshold'],
    ['a string where a boolean belongs', { isPublic: 'yes' }, 'body.isPublic'],
    ['an unknown connection', { connectionId: 'nope' }, 'body.connectionId'],
    ['an unknown connection in modelName', { connectionId: undefined, modelName: '@nope/m' }, 'body.modelName'],
    ['two different connections', { connectionId: 'local', modelName: '@groq/m' }, 'body.connectionId'],
  ])('refuses %s, naming the field, and writes nothing', async (_name, fields, field) => {
    const count = await agentCount();
    const body: Record<string, unknown> = { name: 'Invalid', connectionId: 'groq', modelName: 'm', ...fields };
    expectRefused(await createAgent(body), field);
    expect(await agentCount()).toBe(count);
  });

  it('refuses an unknown field and an empty update value', async () => {
    const unknown = await createAgent({ name: 'x', modelName: '@groq/m', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('colour');
    expectRefused(await putAgent(agentId, { name: '  ' }), 'body.name');
  });

  it('accepts sub-agents of the organization only, never the agent itself, and forgets deleted ones', async () => {
    const helper = await createAgent({ name: 'Helper', modelName: '@groq/m' });
    const foreign = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: other.key,
      body: { name: 'Foreign', parameters: { baseAddress: '', modelName: '@x/m' } },
    });
    const refused = await putAgent(agentId, { subAgents: [helper.body.id, foreign.body.aiGatewayId, agentId, helper.body.id] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([
      expect.objectContaining({ field: 'body.subAgents.1', rule: 'not_found' }),
      expect.objectContaining({ field: 'body.subAgents.2', rule: 'self_reference' }),
      expect.objectContaining({ field: 'body.subAgents.3', rule: 'duplicate' }),
    ]);
    expectRefused(await createAgent({ name: 'Parent', modelName: '@groq/m', subAgents: ['missing-id'] }), 'body.subAgents.0');
    const viaGateway = await http.patch<ErrorBody>(`/api/v1/ai-gateways/${agentId}`, { key: server.adminKey, body: { profile: { subAgents: [agentId] } } });
    expectRefused(viaGateway, 'body.profile.subAgents.0');

    expect((await putAgent(agentId, { subAgents: [helper.body.id] })).body.subAgents).toEqual([helper.body.id]);
    expect((await http.delete(`/api/v1/Agent/${helper.body.id}`, { key: server.adminKey })).status).toBe(200);
    expect((await getAgent(agentId)).body.subAgents).toEqual([]);
  });

  it('creates agent keys shown once, lists them by their last characters, and rotates them at once', async () => {
    expectRefused(await issueKey(agentId, { expiresAt: '2030-01-01T00:00:00Z' }), 'body.label');
    expectRefused(await issueKey(agentId, { label: 'old', expiresAt: '2020-01-01T00:00:00Z' }), 'body.expiresAt');

    const issued = await issueKey(agentId, { name: 'website widget', expiresAt: '2099-01-01T00:00:00Z' });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ agentId, label: 'website widget', expiresAt: '2099-01-01T00:00:00.000Z', key: `...${issued.body.secret.slice(-6)}` });
    const listed = await http.get<Array<Record<string, unknown>>>(`/api/v1/Agent/${agentId}/api-keys`, { headers: orgHeaders() });
    expect(listed.body).toEqual([expect.objectContaining({ id: issued.body.id, label: 'website widget', key: issued.body.key })]);
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.secret);

    const oldSecret = issued.body.secret;
    expect((await byApiKey(oldSecret)).status).toBe(200);
    const rotated = await http.post<IssuedKey>(`/api/v1/Agent/${agentId}/api-keys/${issued.body.id}/rotate`, { key: server.adminKey });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ id: issued.body.id, label: 'website widget', expiresAt: issued.body.expiresAt });
    expect(rotated.body.secret).not.toBe(oldSecret);
    expect((await byApiKey(oldSecret)).status).toBe(401);
    expect((await byApiKey(rotated.body.secret)).status).toBe(200);
    const relisted = await http.get<Array<{ key: string }>>(`/api/v1/Agent/${agentId}/api-keys`, { key: server.adminKey });
    expect(relisted.body.map((key) => key.key)).toEqual([`...${rotated.body.secret.slice(-6)}`]);

    const rotation = await auditOf('ApiKey', issued.body.id, 'Updated');
    expect(rotation.changedProperties.map((change) => change.propertyName)).toEqual(['key']);
    expect(JSON.stringify(rotation)).not.toContain(rotated.body.secret);
    expect((await http.post(`/api/v1/Agent/${agentId}/api-keys/unknown-key/rotate`, { key: server.adminKey })).status).toBe(404);
  });

  it('tells an agent key about its agent and organization, and refuses organization keys', async () => {
    await putAgent(agentId, { publicName: 'Ada', role: 'Customer support', status: 'inactive', tags: ['support', 'eu'] });
    const secret = (await issueKey(agentId)).body.secret;
    const account = await http.get<{ name: string }>('/api/v1/accounts', { key: server.adminKey });
    const response = await byApiKey(secret);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      organizationId: server.orgId,
      organizationName: account.body.name,
      id: agentId,
      name: 'Support agent',
      publicName: 'Ada',
      role: 'Customer support',
      description: fullAgent.description,
      vectorStoreId: '',
      avatarUrl: fullAgent.icon,
      status: 'inactive',
      tags: ['support', 'eu'],
    });
    const withOrganizationKey = await http.get<ErrorBody>('/external/agents/by-api-key', { headers: { 'organization-secret-key': server.adminKey } });
    expect(withOrganizationKey.status).toBe(403);
    expect(withOrganizationKey.body.error.code).toBe('agent_key_required');
    expect((await http.get('/external/agents/by-api-key')).status).toBe(401);
  });

  it('lets an agent key read and update its own agent only', async () => {
    const secret = (await issueKey(agentId, { label: 'scoped' })).body.secret;
    const second = await createAgent({ name: 'Second', modelName: '@groq/m' });
    const own = await http.get<AgentPage>('/api/v1/Agent', { headers: { 'x-api-key': secret } });
    expect(own.body.items.map((item) => item.id)).toEqual([agentId]);
    expect((await getAgent(agentId, secret)).status).toBe(200);
    expect((await putAgent(agentId, { iconColor: '#000000' }, secret)).body.iconColor).toBe('#000000');

    for (const response of [
      await getAgent(second.body.id, secret),
      await putAgent(second.body.id, { name: 'taken' }, secret),
      await createAgent({ name: 'Mine', modelName: '@groq/m' }, secret),
      await http.delete<ErrorBody>(`/api/v1/Agent/${agentId}`, { key: secret }),
      await issueKey(agentId, { label: 'more' }, secret),
      await http.get<ErrorBody>(`/api/v1/Agent/${agentId}/api-keys`, { key: secret }),
    ]) {
      expect(response.status, JSON.stringify(response.body)).toBe(403);
      expect(response.body.error.code).toBe('key_scope');
    }
    await http.delete(`/api/v1/Agent/${second.body.id}`, { key: server.adminKey });
  });

  it('hides agents from other organizations: 404 everywhere, absent from their list', async () => {
    const headers = orgHeaders(other.key, other.orgId);
    expect((await http.get('/api/v1/Agent/' + agentId, { headers })).status).toBe(404);
    expect((await http.put(`/api/v1/Agent/${agentId}`, { headers, body: { name: 'stolen' } })).status).toBe(404);
    expect((await http.delete(`/api/v1/Agent/${agentId}`, { headers })).status).toBe(404);
    expect((await http.post(`/api/v1/Agent/${agentId}/api-keys`, { headers, body: { label: 'x' } })).status).toBe(404);
    expect((await http.get(`/api/v1/Agent/${agentId}/api-keys`, { headers })).status).toBe(404);
    const theirs = await http.get<AgentPage>('/api/v1/Agent', { headers });
    expect(theirs.body.items.map((item) => item.id)).not.toContain(agentId);
    expect((await getAgent(agentId)).body.name).toBe('Support agent');
  });

  it('records audit events with the profile fields', async () => {
    const created = await auditOf('AiGateway', agentId, 'Created');
    expect(created.changedProperties).toEqual(
      expect.arrayContaining([
        { propertyName: 'profile.initialMessage', oldValue: null, newValue: fullAgent.initialMessage },
        { propertyName: 'profile.widgetSettings.primaryColor', oldValue: null, newValue: '#112233' },
        { propertyName: 'parameters.modelName', oldValue: null, newValue: '@groq/llama-3.3-70b' },
      ]),
    );
    const updated = await auditOf('AiGateway', agentId, 'Updated');
    expect(updated.changedProperties).toContainEqual({ propertyName: 'profile.iconColor', oldValue: '#1e88e5', newValue: '#000000' });
    await auditOf('ApiKey', (await issueKey(agentId, { label: 'audited' })).body.id, 'Created');
  });

  it('deletes an agent with its keys, which stop working at once', async () => {
    const secret = (await issueKey(agentId, { label: 'last' })).body.secret;
    expect((await byApiKey(secret)).status).toBe(200);
    expect((await http.delete(`/api/v1/Agent/${agentId}`, { headers: orgHeaders() })).status).toBe(200);
    expect((await byApiKey(secret)).status).toBe(401);
    expect((await getAgent(agentId)).status).toBe(404);
    expect((await getAgent(agentId)).body.error.message).toContain('Agent');
    expect((await gateway(agentId)).status).toBe(404);
    await auditOf('AiGateway', agentId, 'Deleted');
  });

  it('documents the routes in the OpenAPI document', async () => {
    type Operation = { tags?: string[]; security?: unknown[]; summary?: string; description?: string };
    const document = await http.get<{ paths: Record<string, Record<string, Operation>> }>('/openapi.json');
    const operations: Array<[string, string]> = [
      ['/api/v1/Agent', 'get'],
      ['/api/v1/Agent', 'post'],
      ['/api/v1/Agent/{agentId}', 'get'],
      ['/api/v1/Agent/{agentId}', 'put'],
      ['/api/v1/Agent/{agentId}', 'delete'],
      ['/api/v1/Agent/{agentId}/api-keys', 'post'],
      ['/api/v1/Agent/{agentId}/api-keys', 'get'],
      ['/api/v1/Agent/{agentId}/api-keys/{keyId}/rotate', 'post'],
      ['/external/agents/by-api-key', 'get'],
    ];
    for (const [path, method] of operations) {
      const operation = document.body.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation?.tags?.length).toBeGreaterThan(0);
      expect(operation?.security?.length).toBeGreaterThan(0);
      expect(operation?.summary).toBeTruthy();
      expect(operation?.description).toBeTruthy();
    }
    expect(document.body.paths['/external/agents/by-api-key']?.get?.description).toContain('vectorStoreId');
  });
});
