import { createHmac } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CallbackReceiver, startCallbackReceiver } from './support/callback-receiver.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestMcpServer, startMcpServer } from './support/mcp-server.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface ToolCall {
  id: string;
  name: string;
  kind: string;
  status: string;
  result: string | null;
  isError: boolean;
  structured?: unknown;
}
interface Message {
  id: string;
  role: string;
  content: string;
  status: string;
  tool_calls: ToolCall[] | null;
}
interface PostedState {
  turn: { id: string; status: string };
  messages: Message[];
}
type Sent = {
  messages: Array<{ role: string; content: unknown; tool_call_id?: string }>;
  tools?: Array<{ function: { name: string } }>;
};
type ErrorBody = { error: { code: string; message: string } };

/** Tool behaviour end to end: the scripted model calls tools, real servers answer them. */
describe.each(dialects)('agent tools through real servers (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let http: HttpClient;
  let receiver: CallbackReceiver;
  let mcp: TestMcpServer;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    receiver = await startCallbackReceiver();
    mcp = await startMcpServer('streamable-http');
    server = await startTestServer(dialect, {
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'sk-upstream-0001',
      AGENTRY_OUTBOUND_ALLOW: '127.0.0.0/8',
    });
    http = httpClient(server.url);
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all([upstream?.close(), receiver?.close(), mcp?.close()]);
  });
  beforeEach(() => upstream.reset());

  async function createAgent(name: string, parameters: Record<string, unknown>): Promise<string> {
    const response = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: { name, parameters: { baseAddress: '', modelName: '@openai/scripted-model', ...parameters } },
    });
    expect(response.status).toBe(200);
    return response.body.aiGatewayId;
  }

  const base = (agentId: string) => `/tenants/${server.orgId}/api/v2/agents/${agentId}/conversations`;

  async function open(agentId: string, extra: Record<string, unknown> = {}): Promise<string> {
    const created = await http.post<{ id: string }>(base(agentId), { key: server.adminKey, body: { name: 'tools', ...extra } });
    return created.body.id;
  }

  async function say(agentId: string, conversationId: string, content: string) {
    return http.post<PostedState>(`${base(agentId)}/${conversationId}/messages`, { key: server.adminKey, body: { content } });
  }

  const chatRequests = () => upstream.requests.filter((request) => request.path.endsWith('/chat/completions'));
  const sentAt = (index: number) => chatRequests()[index]?.body as Sent;

  it('calls an HTTP callback tool with a verifiable signature and gives the model its answer', async () => {
    receiver.reply('/orders', { body: { orderId: 'A-17', status: 'shipped' } });
    const agent = await createAgent('Orders', {
      protocolFunctions: [
        {
          name: 'get_order',
          description: 'Looks up an order.',
          callbackUrl: `${receiver.url}/orders`,
          headers: { 'x-tenant': 'acme' },
          contentFormat: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] },
        },
      ],
    });
    const conversationId = await open(agent, { external_user_id: 'cust-9' });
    upstream.enqueue({ kind: 'reply', toolCalls: [{ id: 'call_o', name: 'get_order', arguments: '{"orderId":"A-17"}' }] });
    upstream.enqueue({ kind: 'reply', content: 'Your order A-17 has shipped.' });
    const posted = await say(agent, conversationId, 'Where is order A-17?');
    expect(posted.body.messages[1]?.content).toBe('Your order A-17 has shipped.');

    const call = receiver.last('/orders');
    const body = JSON.parse(call.body) as Record<string, unknown>;
    expect(body).toMatchObject({ toolName: 'get_order', arguments: { orderId: 'A-17' }, conversationId, agentId: agent, externalUserId: 'cust-9' });
    expect(call.headers['x-tenant']).toBe('acme');
    const { salt } = (await http.get<{ salt: string }>('/api/v1/accounts/api-key', { key: server.adminKey })).body;
    const timestamp = String(call.headers['x-agentry-timestamp']);
    const expected = `sha256=${createHmac('sha256', salt).update(`${timestamp}.${call.body}`).digest('hex')}`;
    expect(call.headers['x-agentry-signature']).toBe(expected);

    const toolMessage = sentAt(1).messages.find((message) => message.role === 'tool');
    expect(JSON.parse(String(toolMessage?.content))).toEqual({ orderId: 'A-17', status: 'shipped' });
    expect(posted.body.messages[1]?.tool_calls?.[0]).toMatchObject({ name: 'get_order', kind: 'http', status: 'completed' });
  });

  it('gives the model an error result it can recover from when a callback fails, and finishes the turn', async () => {
    receiver.reply('/broken', { status: 503, body: { error: 'maintenance' } });
    const agent = await createAgent('Fragile', {
      protocolFunctions: [
        { name: 'broken', description: 'Fails.', callbackUrl: `${receiver.url}/broken`, contentFormat: { type: 'object', properties: {} } },
        { name: 'internal', description: 'Points at a metadata address.', callbackUrl: 'http://169.254.169.254/latest', contentFormat: { type: 'object' } },
      ],
    });
    const conversationId = await open(agent);
    upstream.enqueue({
      kind: 'reply',
      toolCalls: [
        { id: 'call_b', name: 'broken', arguments: '{}' },
        { id: 'call_i', name: 'internal', arguments: '{}' },
      ],
    });
    upstream.enqueue({ kind: 'reply', content: 'The order system is down; please try later.' });
    const posted = await say(agent, conversationId, 'Check it');
    expect(posted.status).toBe(200);
    expect(posted.body.messages[1]?.content).toBe('The order system is down; please try later.');
    expect(posted.body.messages[1]?.tool_calls?.map((call) => [call.name, call.status, call.isError])).toEqual([
      ['broken', 'failed', true],
      ['internal', 'failed', true],
    ]);
    const results = sentAt(1).messages.filter((message) => message.role === 'tool').map((message) => String(message.content));
    expect(results[0]).toContain('503');
    expect(results[1]).toMatch(/address|policy|refused/i);
  });

  it('uses a tool of a real MCP server', async () => {
    const agent = await createAgent('Calculator', { mcpSources: [{ name: 'calc', url: mcp.url }] });
    const conversationId = await open(agent);
    upstream.enqueue({ kind: 'reply', toolCalls: [{ id: 'call_m', name: 'calc__add', arguments: '{"a":2,"b":40}' }] });
    upstream.enqueue({ kind: 'reply', content: 'It is 42.' });
    const posted = await say(agent, conversationId, 'What is 2 + 40?');
    expect(posted.body.messages[1]?.content).toBe('It is 42.');
    expect(sentAt(0).tools?.map((tool) => tool.function.name)).toEqual(expect.arrayContaining(['calc__add', 'calc__echo']));
    const toolMessage = sentAt(1).messages.find((message) => message.role === 'tool');
    expect(String(toolMessage?.content)).toContain('42');
    expect(posted.body.messages[1]?.tool_calls?.[0]).toMatchObject({ name: 'calc__add', kind: 'mcp', status: 'completed', structured: { sum: 42 } });
  });

  it('loads a skill on demand, which reveals the tools it names', async () => {
    receiver.reply('/refund', { body: { refunded: true } });
    receiver.reply('/refund-style.md', { body: 'Always apologize for the trouble first.', contentType: 'text/markdown' });
    const skill = await http.post('/api/v1/skills', {
      key: server.adminKey,
      body: { slug: 'refunds', description: 'Handling refund requests', instructions: 'Refund only orders under 100 EUR.', options: { allowedToolsNames: ['issue_refund'], instructionSources: [{ name: 'style', url: `${receiver.url}/refund-style.md` }] } },
    });
    expect(skill.status).toBeLessThan(300);
    const agent = await createAgent('Support desk', {
      skills: ['refunds'],
      hideToolsWithoutSkill: true,
      protocolFunctions: [
        { name: 'issue_refund', description: 'Refunds an order.', callbackUrl: `${receiver.url}/refund`, contentFormat: { type: 'object', properties: { orderId: { type: 'string' } } } },
      ],
    });
    const conversationId = await open(agent);
    upstream.enqueue({ kind: 'reply', toolCalls: [{ id: 'call_s', name: 'load_skill', arguments: '{"slug":"refunds"}' }] });
    upstream.enqueue({ kind: 'reply', toolCalls: [{ id: 'call_r', name: 'issue_refund', arguments: '{"orderId":"A-3"}' }] });
    upstream.enqueue({ kind: 'reply', content: 'Refunded.' });
    const posted = await say(agent, conversationId, 'Please refund A-3');
    expect(posted.body.messages[1]?.content).toBe('Refunded.');

    const first = sentAt(0);
    expect(first.tools?.map((tool) => tool.function.name)).toEqual(['load_skill']);
    expect(JSON.stringify(first.messages[0]?.content)).toContain('refunds: Handling refund requests');
    const afterLoad = sentAt(1);
    expect(afterLoad.tools?.map((tool) => tool.function.name).sort()).toEqual(['issue_refund', 'load_skill']);
    const loadedText = String(afterLoad.messages.find((message) => message.role === 'tool')?.content);
    expect(loadedText).toContain('Refund only orders under 100 EUR.');
    expect(loadedText).toContain('Always apologize for the trouble first.');
    expect(receiver.count('/refund')).toBe(1);
  });

  it('remembers what the user said through Remember and brings it into their next conversation', async () => {
    const agent = await createAgent('Concierge', { sentinelOptions: { enabledFunctions: ['Remember', 'Calendar', 'WebSearch'] } });
    const first = await open(agent, { external_user_id: 'guest-5' });
    upstream.enqueue({ kind: 'reply', toolCalls: [{ id: 'call_r', name: 'Remember', arguments: '{"content":"Prefers window seats","format":"Text"}' }] });
    upstream.enqueue({ kind: 'reply', content: 'Noted.' });
    const posted = await say(agent, first, 'I always want a window seat.');
    expect(posted.body.messages[1]?.tool_calls?.[0]).toMatchObject({ name: 'Remember', kind: 'builtin', status: 'completed' });
    const offered = sentAt(0).tools?.map((tool) => tool.function.name) ?? [];
    expect(offered).toEqual(expect.arrayContaining(['Remember', 'Calendar']));
    expect(offered).not.toContain('WebSearch');

    const listed = await http.get<unknown>('/api/v1/memories?filter=guest-5', { key: server.adminKey });
    expect(JSON.stringify(listed.body)).toContain('Prefers window seats');

    const second = await open(agent, { external_user_id: 'guest-5' });
    upstream.enqueue({ kind: 'reply', content: 'A window seat, as always?' });
    await say(agent, second, 'Book me a flight to Lisbon.');
    const system = sentAt(2).messages.filter((message) => message.role === 'system').map((message) => String(message.content)).join('\n');
    expect(system).toContain('Prefers window seats');
    expect(system).toContain('WebSearch');

    const stranger = await open(agent, { external_user_id: 'guest-6' });
    upstream.enqueue({ kind: 'reply', content: 'Hello!' });
    await say(agent, stranger, 'Hi');
    expect(JSON.stringify(sentAt(3).messages)).not.toContain('Prefers window seats');
  });

  it('pauses a turn on a tool that needs approval and resumes it after the decision', async () => {
    receiver.reply('/cancel-order', { body: { cancelled: true } });
    const agent = await createAgent('Careful', {
      protocolFunctions: [
        {
          name: 'cancel_order',
          description: 'Cancels an order.',
          callbackUrl: `${receiver.url}/cancel-order`,
          requiresApproval: true,
          contentFormat: { type: 'object', properties: { orderId: { type: 'string' } } },
        },
      ],
    });
    const conversationId = await open(agent);
    upstream.enqueue({ kind: 'reply', content: 'Let me cancel it. ', toolCalls: [{ id: 'call_c', name: 'cancel_order', arguments: '{"orderId":"B-2"}' }] });
    const paused = await say(agent, conversationId, 'Cancel order B-2');
    expect(paused.status).toBe(200);
    expect(paused.body.turn.status).toBe('awaiting_approval');
    expect(paused.body.messages[1]).toMatchObject({ status: 'awaiting_approval' });
    expect(paused.body.messages[1]?.tool_calls?.[0]).toMatchObject({ id: 'call_c', status: 'pending_approval' });
    expect(receiver.count('/cancel-order')).toBe(0);

    const pending = await http.get<{ items: Array<{ toolCallId: string; name: string; arguments: string }> }>(
      `/api/v1/conversations/${conversationId}/approvals`,
      { key: server.adminKey },
    );
    expect(pending.body.items).toEqual([expect.objectContaining({ toolCallId: 'call_c', name: 'cancel_order', arguments: '{"orderId":"B-2"}' })]);
    const blocked = await say(agent, conversationId, 'Hello?');
    expect(blocked.status).toBe(409);
    expect((blocked.body as unknown as ErrorBody).error.code).toBe('approval_pending');

    upstream.enqueue({ kind: 'reply', content: 'Order B-2 is cancelled.' });
    const decided = await http.post<{ status: string; resumed: boolean; remainingApprovals: number }>(
      `/api/v1/conversations/${conversationId}/approvals/call_c`,
      { key: server.adminKey, body: { approve: true } },
    );
    expect(decided.body).toMatchObject({ status: 'approved', resumed: true, remainingApprovals: 0 });
    const again = await http.post<ErrorBody>(`/api/v1/conversations/${conversationId}/approvals/call_c`, { key: server.adminKey, body: { approve: false } });
    expect(again.status).toBe(404);

    await upstream.waitForRequests(2);
    await receiver.count('/cancel-order');
    const messages = async () => (await http.get<{ data: Message[] }>(`${base(agent)}/${conversationId}/messages`, { key: server.adminKey })).body.data;
    await expect.poll(async () => (await messages()).at(-1)?.status).toBe('completed');
    const reply = (await messages()).at(-1);
    expect(reply?.content).toBe('Let me cancel it. Order B-2 is cancelled.');
    expect(reply?.tool_calls?.[0]).toMatchObject({ id: 'call_c', status: 'completed' });
    expect(receiver.count('/cancel-order')).toBe(1);

    // A rejection is reported to the model, which carries on.
    upstream.enqueue({ kind: 'reply', toolCalls: [{ id: 'call_d', name: 'cancel_order', arguments: '{"orderId":"C-1"}' }] });
    await say(agent, conversationId, 'Cancel C-1 too');
    upstream.enqueue({ kind: 'reply', content: 'Understood, C-1 stays.' });
    await http.post(`/api/v1/conversations/${conversationId}/approvals/call_d`, { key: server.adminKey, body: { approve: false, reason: 'C-1 already shipped' } });
    await expect.poll(async () => (await messages()).at(-1)?.content).toBe('Understood, C-1 stays.');
    const toolResult = chatRequests().at(-1)?.body as Sent;
    expect(String(toolResult.messages.at(-1)?.content)).toContain('C-1 already shipped');
    expect(receiver.count('/cancel-order')).toBe(1);
  });

  it('runs an agent’s tool loop behind /v1/chat/completions and lists the tools it ran', async () => {
    const agent = await createAgent('Clock', { sentinelOptions: { enabledFunctions: ['Calendar'] } });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: server.adminKey, maxRetries: 0 });
    upstream.enqueue({ kind: 'reply', toolCalls: [{ id: 'call_t', name: 'Calendar', arguments: '{"timeZone":"Europe/Lisbon"}' }], usage: { prompt_tokens: 9, completion_tokens: 4 } });
    upstream.enqueue({ kind: 'reply', content: 'It is Tuesday in Lisbon.', usage: { prompt_tokens: 20, completion_tokens: 6 } });
    const completion = await client.chat.completions.create({ model: agent, messages: [{ role: 'user', content: 'What day is it in Lisbon?' }] });
    expect(completion.choices[0]?.message.content).toBe('It is Tuesday in Lisbon.');
    expect(completion.usage).toMatchObject({ prompt_tokens: 29, completion_tokens: 10 });
    const context = (completion as unknown as { generation_context: { runned_functions: Array<{ name: string; is_error: boolean; result: string }>; generated_usage: unknown[] } })
      .generation_context;
    expect(context.runned_functions).toEqual([expect.objectContaining({ name: 'Calendar', is_error: false })]);
    expect(context.runned_functions[0]?.result).toContain('Europe/Lisbon');
    expect(sentAt(1).messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_t' });

    // Streamed, the text arrives as chunks and the last chunk carries the same report.
    upstream.enqueue({ kind: 'reply', toolCalls: [{ id: 'call_u', name: 'Calendar', arguments: '{}' }] });
    upstream.enqueue({ kind: 'reply', chunks: ['Today ', 'is ', 'Tuesday.'] });
    const stream = await client.chat.completions.create({ model: agent, messages: [{ role: 'user', content: 'And today?' }], stream: true });
    let text = '';
    let report: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      const extra = (chunk as unknown as { generation_context?: unknown }).generation_context;
      if (extra) report = extra;
    }
    expect(text).toBe('Today is Tuesday.');
    expect(report).toMatchObject({ runned_functions: [expect.objectContaining({ name: 'Calendar' })] });
  });
});
