import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { collectEvents, openEventStream } from './support/event-source.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface ToolCall {
  id: string;
  name: string;
  arguments: string;
  kind: string;
  status: string;
  result: string | null;
  isError: boolean;
  structured?: { conversationId?: string };
}
interface Message {
  id: string;
  role: string;
  content: string;
  status: string;
  tool_calls: ToolCall[] | null;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
}
interface PostedState {
  messages: Message[];
}
type Sent = { messages: Array<{ role: string; content: unknown; tool_calls?: Array<{ id: string; function: { name: string } }>; tool_call_id?: string }>; tools?: Array<{ function: { name: string; description: string } }> };


describe.each(dialects)('agent tool loop (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let http: HttpClient;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    server = await startTestServer(dialect, { OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: 'sk-upstream-0001', AGENTRY_AGENT_MAX_STEPS: '3' });
    http = httpClient(server.url);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });
  beforeEach(() => upstream.reset());

  async function createAgent(name: string, profile: Record<string, unknown> = {}): Promise<string> {
    const response = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: { name, parameters: { baseAddress: '', modelName: '@openai/scripted-model', systemInstruction: `You are ${name}.` }, profile },
    });
    expect(response.status).toBe(200);
    return response.body.aiGatewayId;
  }

  function conversations(agentId: string): string {
    return `/tenants/${server.orgId}/api/v2/agents/${agentId}/conversations`;
  }

  async function open(agentId: string): Promise<string> {
    const created = await http.post<{ id: string }>(conversations(agentId), { key: server.adminKey, body: { name: 'tools' } });
    return created.body.id;
  }

  const sentAt = (index: number) => upstream.requests.filter((request) => request.path.endsWith('/chat/completions'))[index]?.body as Sent;

  it('calls a sub-agent as a tool, feeds its answer back and records the call on the reply', async () => {
    const researcher = await createAgent('Researcher', { description: 'Finds facts about products.' });
    const lead = await createAgent('Lead', { subAgents: [researcher] });
    const conversationId = await open(lead);

    upstream.enqueue({
      kind: 'reply',
      toolCalls: [{ id: 'call_1', name: 'ask_researcher', arguments: '{"message":"What does the X100 weigh?"}' }],
      usage: { prompt_tokens: 10, completion_tokens: 1 },
    });
    upstream.enqueue({ kind: 'reply', content: 'The X100 weighs 2 kg.', usage: { prompt_tokens: 20, completion_tokens: 2 } });
    upstream.enqueue({ kind: 'reply', content: 'Our researcher says: 2 kg.', usage: { prompt_tokens: 30, completion_tokens: 3 } });

    const stream = await openEventStream(`${server.url}${conversations(lead)}/${conversationId}/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}` },
      body: { content: 'How heavy is the X100?' },
    });
    const events = await collectEvents(stream.events);
    expect(events.filter((event) => event.event === 'message').map((event) => event.data).join('')).toBe('Our researcher says: 2 kg.');
    const toolEvents = events.filter((event) => event.event === 'tool_call' || event.event === 'tool_result').map((event) => event.event);
    expect(toolEvents).toEqual(['tool_call', 'tool_result']);

    const offered = sentAt(0).tools?.map((tool) => tool.function.name);
    expect(offered).toEqual(['ask_researcher']);
    expect(sentAt(0).tools?.[0]?.function.description).toContain('finds facts about products');
    // The sub-agent ran its own turn, with its own instructions and the question.
    expect(sentAt(1).messages.map((message) => message.content)).toEqual(['You are Researcher.', 'What does the X100 weigh?']);
    // The lead got the result as a tool message answering its call.
    const third = sentAt(2).messages;
    expect(third.at(-2)?.tool_calls?.[0]?.id).toBe('call_1');
    expect(third.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: 'The X100 weighs 2 kg.' });

    const messages = (await http.get<{ data: Message[] }>(`${conversations(lead)}/${conversationId}/messages`, { key: server.adminKey })).body.data;
    const reply = messages.at(-1);
    expect(reply?.tool_calls).toHaveLength(1);
    expect(reply?.tool_calls?.[0]).toMatchObject({ id: 'call_1', name: 'ask_researcher', kind: 'sub-agent', status: 'completed', result: 'The X100 weighs 2 kg.', isError: false });
    // Usage covers all three model calls: the lead's two and the sub-agent's.
    expect(reply?.usage).toMatchObject({ prompt_tokens: 60, completion_tokens: 6 });

    const child = reply?.tool_calls?.[0]?.structured?.conversationId ?? '';
    const childConversation = await http.get<{ agent_id: string; channel: string; metadata: Record<string, unknown> }>(
      `${conversations(researcher)}/${child}`,
      { key: server.adminKey },
    );
    expect(childConversation.body).toMatchObject({ agent_id: researcher, channel: 'sub-agent', metadata: { parentConversationId: conversationId, parentAgentId: lead } });

    // The next turn sees the earlier tool call and result in its history.
    upstream.enqueue({ kind: 'reply', content: 'Anything else?' });
    await http.post(`${conversations(lead)}/${conversationId}/messages`, { key: server.adminKey, body: { content: 'Thanks' } });
    const history = sentAt(3).messages;
    expect(history.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user']);
  });

  it('reports malformed arguments and unknown tools back to the model instead of failing', async () => {
    const helper = await createAgent('Helper');
    const lead = await createAgent('Coordinator', { subAgents: [helper] });
    const conversationId = await open(lead);
    upstream.enqueue({
      kind: 'reply',
      toolCalls: [
        { id: 'call_bad', name: 'ask_helper', arguments: '{"message": ' },
        { id: 'call_ghost', name: 'delete_everything', arguments: '{}' },
      ],
    });
    upstream.enqueue({ kind: 'reply', content: 'Sorry, I could not use my tools.' });
    const posted = await http.post<PostedState>(`${conversations(lead)}/${conversationId}/messages`, { key: server.adminKey, body: { content: 'Go' } });
    expect(posted.status).toBe(200);
    const reply = posted.body.messages[1];
    expect(reply?.content).toBe('Sorry, I could not use my tools.');
    expect(reply?.tool_calls?.map((call) => [call.id, call.status, call.isError])).toEqual([
      ['call_bad', 'failed', true],
      ['call_ghost', 'failed', true],
    ]);
    const results = sentAt(1)
      .messages.filter((message) => message.role === 'tool')
      .map((message) => (JSON.parse(String(message.content)) as { error: string }).error);
    expect(results[0]).toContain('not valid JSON');
    expect(results[1]).toContain('no tool named "delete_everything"');
  });

  it('ends a tool loop that exceeds the step limit with a clear message', async () => {
    const helper = await createAgent('Looper target');
    const lead = await createAgent('Looper', { subAgents: [helper] });
    const conversationId = await open(lead);
    for (let round = 0; round < 3; round += 1) {
      upstream.enqueue({ kind: 'reply', toolCalls: [{ id: `call_${round}`, name: 'ask_looper_target', arguments: '{"message":"again"}' }] });
      upstream.enqueue({ kind: 'reply', content: `answer ${round}` });
    }
    const posted = await http.post<PostedState>(`${conversations(lead)}/${conversationId}/messages`, { key: server.adminKey, body: { content: 'Loop' } });
    expect(posted.status).toBe(200);
    const reply = posted.body.messages[1];
    expect(reply?.content).toContain('limit of 3 tool steps');
    expect(reply?.tool_calls).toHaveLength(3);
    expect(upstream.pendingSteps).toBe(0);
  });

  it('keeps only the newest tool results in later turns with toolContextCount, and asks for explanations when told to', async () => {
    const helper = await createAgent('Brief helper');
    const response = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: {
        name: 'Forgetful',
        parameters: { baseAddress: '', modelName: '@openai/scripted-model', toolContextCount: 1, toolInvocationExplanations: true },
        profile: { subAgents: [helper] },
      },
    });
    const lead = response.body.aiGatewayId;
    const conversationId = await open(lead);
    for (const round of [1, 2]) {
      upstream.enqueue({ kind: 'reply', toolCalls: [{ id: `call_${round}`, name: 'ask_brief_helper', arguments: `{"message":"q${round}","explanation":"I need facts"}` }] });
      upstream.enqueue({ kind: 'reply', content: `fact ${round}` });
      upstream.enqueue({ kind: 'reply', content: `answer ${round}` });
      await http.post(`${conversations(lead)}/${conversationId}/messages`, { key: server.adminKey, body: { content: `question ${round}` } });
    }
    const offered = sentAt(0).tools?.[0] as unknown as { function: { parameters: { required: string[] } } };
    expect(offered.function.parameters.required).toContain('explanation');
    // The explanation is for the user, not the sub-agent: it is not passed on.
    expect(sentAt(1).messages.at(-1)?.content).toBe('q1');

    upstream.enqueue({ kind: 'reply', content: 'done' });
    await http.post(`${conversations(lead)}/${conversationId}/messages`, { key: server.adminKey, body: { content: 'question 3' } });
    const history = sentAt(6).messages;
    const toolResults = history.filter((message) => message.role === 'tool').map((message) => message.tool_call_id);
    expect(toolResults).toEqual(['call_2']);
    expect(history.map((message) => message.content)).toContain('answer 1');
  });
});
