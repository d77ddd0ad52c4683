import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor } from '../src/platform/actor.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';

type ErrorBody = { error: { code: string; message: string } };
interface ExternalMessage {
  id: string;
  role: string;
  message: string;
  status: string;
}
interface NumberedPage<T> {
  items: T[];
  currentPage: number;
  pageSize: number;
  totalItems: number;
  totalPages: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}
interface AgentUser {
  externalUserId: string;
  name: string | null;
  conversations: number;
}

describe.each(dialects)('Agent-key API conversations (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let http: HttpClient;
  let agentId: string;
  let agentKey: string;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    server = await startTestServer(dialect, { OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: 'sk-upstream-0001' });
    http = httpClient(server.url);
    agentId = await createAgent('Front desk', { initialMessage: 'Welcome to Acme!' });
    agentKey = await issueAgentKey(agentId);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });
  beforeEach(() => upstream.reset());

  async function createAgent(name: string, profile: Record<string, unknown> = {}): Promise<string> {
    const response = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: { name, parameters: { baseAddress: '', modelName: '@openai/scripted-model' }, profile },
    });
    return response.body.aiGatewayId;
  }

  async function issueAgentKey(forAgent: string): Promise<string> {
    const { database, apiKeys } = server.server.container;
    const issued = await database.handle
      .transaction()
      .execute((transaction) => apiKeys.issue(transaction, operatorActor(server.orgId, 'test'), { label: 'agent', agentId: forAgent }));
    return issued.secret;
  }

  const asAgent = (key: string) => ({ headers: { 'agent-secret-key': key } });

  async function start(body: Record<string, unknown>, key = agentKey): Promise<string> {
    const response = await http.post<{ conversationId: string }>('/external/conversations/start', { ...asAgent(key), body });
    expect(response.status).toBe(200);
    return response.body.conversationId;
  }

  it('starts a conversation with user identifiers, answers in the same call and keeps the history', async () => {
    const started = await http.post<{ conversationId: string; initialMessage: string | null; channel: string }>('/external/conversations/start', {
      ...asAgent(agentKey),
      body: { channel: 'sms', firstName: 'Ada', lastName: 'Lovelace', phoneNumber: '+15550100', context: 'The user is a premium customer.' },
    });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ channel: 'sms', initialMessage: 'Welcome to Acme!' });
    const id = started.body.conversationId;

    const conversation = await http.get<{ externalUserId: string; user: Record<string, string>; agentId: string }>(`/external/conversations/${id}`, asAgent(agentKey));
    expect(conversation.body).toMatchObject({ agentId, externalUserId: '+15550100', user: { firstName: 'Ada', lastName: 'Lovelace', phoneNumber: '+15550100' } });

    upstream.enqueue({ kind: 'reply', content: 'Your order ships today.' });
    const reply = await http.post<{ reply: ExternalMessage; userMessage: ExternalMessage }>(`/external/conversations/${id}/messages`, {
      ...asAgent(agentKey),
      body: { message: 'Where is my order?' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.reply).toMatchObject({ role: 'assistant', message: 'Your order ships today.', status: 'completed' });
    upstream.enqueue({ kind: 'reply', content: 'Tomorrow by noon.' });
    await http.post(`/external/conversations/${id}/messages`, { ...asAgent(agentKey), body: { message: 'When will it arrive?' } });
    const sent = (upstream.lastRequest().body as { messages: Array<{ role: string; content: string }> }).messages;
    expect(sent.map((message) => [message.role, message.content])).toEqual([
      ['system', 'The user is a premium customer.'],
      ['assistant', 'Welcome to Acme!'],
      ['user', 'Where is my order?'],
      ['assistant', 'Your order ships today.'],
      ['user', 'When will it arrive?'],
    ]);

    const page = await http.get<NumberedPage<ExternalMessage>>(`/external/conversations/${id}/messages?page=2&pageSize=2`, asAgent(agentKey));
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ currentPage: 2, pageSize: 2, totalItems: 5, totalPages: 3, hasNextPage: true, hasPreviousPage: true });
    expect(page.body.items.map((message) => message.message)).toEqual(['Your order ships today.', 'When will it arrive?']);

    const deleted = await http.delete<{ id: string }>(`/external/conversations/${id}`, asAgent(agentKey));
    expect(deleted.status).toBe(200);
    expect(deleted.body.id).toBe(id);
    expect((await http.get(`/external/conversations/${id}`, asAgent(agentKey))).status).toBe(404);
  });

  it('lists the agent’s users with the spec’s paging fields', async () => {
    const usersAgent = await createAgent('Users');
    const key = await issueAgentKey(usersAgent);
    await start({ email: 'b@example.com', firstName: 'Bea' }, key);
    await start({ email: 'b@example.com', firstName: 'Bea' }, key);
    await start({ externalUserId: 'crm-1', firstName: 'Carl' }, key);
    await start({ phoneNumber: '+15550199' }, key);

    const byKey = await http.get<NumberedPage<AgentUser>>('/external/agents/users?orderBy=conversations&orderDirection=desc&pageSize=2', asAgent(key));
    expect(byKey.status).toBe(200);
    expect(byKey.body).toMatchObject({ currentPage: 1, pageSize: 2, totalItems: 3, totalPages: 2, hasNextPage: true, hasPreviousPage: false });
    expect(byKey.body.items[0]).toMatchObject({ externalUserId: 'b@example.com', name: 'Bea', conversations: 2 });

    const byId = await http.get<NumberedPage<AgentUser>>(`/external/agents/${usersAgent}/users?orderBy=name&orderDirection=asc&page=1&pageSize=10`, {
      headers: { 'organization-secret-key': server.adminKey },
    });
    expect(byId.status).toBe(200);
    expect(byId.body.items.map((user) => user.externalUserId)).toEqual(['+15550199', 'b@example.com', 'crm-1']);

    const orgKeyWithoutAgent = await http.get<ErrorBody>('/external/agents/users', { headers: { 'organization-secret-key': server.adminKey } });
    expect(orgKeyWithoutAgent.status).toBe(403);
    const otherAgentsUsers = await http.get<ErrorBody>(`/external/agents/${agentId}/users`, asAgent(key));
    expect(otherAgentsUsers.status).toBe(403);
  });

  it('keeps agent keys to their agent and organizations apart', async () => {
    const id = await start({ email: 'x@example.com' });
    const otherAgent = await createAgent('Other');
    const otherKey = await issueAgentKey(otherAgent);
    for (const response of [
      await http.get<ErrorBody>(`/external/conversations/${id}`, asAgent(otherKey)),
      await http.post<ErrorBody>(`/external/conversations/${id}/messages`, { ...asAgent(otherKey), body: { message: 'hi' } }),
      await http.delete<ErrorBody>(`/external/conversations/${id}`, asAgent(otherKey)),
      await http.post<ErrorBody>('/external/conversations/start', { ...asAgent(otherKey), body: { agentId } }),
    ]) {
      expect(response.status).toBe(403);
    }
    const orgWide = await http.post<ErrorBody>('/external/conversations/start', { headers: { 'organization-secret-key': server.adminKey }, body: {} });
    expect(orgWide.status).toBe(400);
    expect(orgWide.body.error.message).toContain('agentId');
    const orgWideWithAgent = await http.post<{ conversationId: string }>('/external/conversations/start', {
      headers: { 'organization-secret-key': server.adminKey },
      body: { agentId },
    });
    expect(orgWideWithAgent.status).toBe(200);

    const other = await server.server.container.organizations.create({ name: 'Other Corp' });
    const foreign = await http.get<ErrorBody>(`/external/conversations/${id}`, { headers: { 'organization-secret-key': other.apiKey.secret } });
    expect(foreign.status).toBe(404);
    const empty = await http.post<ErrorBody>(`/external/conversations/${id}/messages`, { ...asAgent(agentKey), body: { message: ' ' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('message');
    expect(upstream.requests).toHaveLength(0);
  });
});
