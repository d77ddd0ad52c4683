import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor } from '../src/platform/actor.js';
import { dialects } from './support/dialects.js';
import { collectEvents, openEventStream, replyTextOf } from './support/event-source.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface Conversation {
  id: string;
  name: string;
  agent_id: string;
  external_user_id: string | null;
  status: string;
}
interface Message {
  id: string;
  role: string;
  content: string;
  status: string;
  turn_id: string | null;
  model: string | null;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  error: { code: string; message: string } | null;
  feedback: { rating: string; comment: string | null } | null;
}
interface Page<T> {
  data: T[];
  next: string | null;
}
interface PostedState {
  conversation: Conversation;
  turn: { id: string; status: string };
  messages: Message[];
}
type ErrorBody = { error: { code: string; message: string } };
type SentMessage = { role: string; content: unknown };



describe.each(dialects)('Conversations API v2.5 (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let http: HttpClient;
  let agentId: string;
  let base: string;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    server = await startTestServer(dialect, {
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'sk-upstream-0001',
    });
    http = httpClient(server.url);
    agentId = await createAgent('Support', { initialMessage: 'Hello! How can I help?', enableFeedback: true });
    base = `/tenants/${server.orgId}/api/v2/agents/${agentId}/conversations`;
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });
  beforeEach(() => upstream.reset());

  async function createAgent(name: string, profile: Record<string, unknown> = {}): Promise<string> {
    const response = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: {
        name,
        parameters: { baseAddress: '', modelName: '@openai/scripted-model', systemInstruction: `You are ${name}.` },
        profile,
      },
    });
    expect(response.status).toBe(200);
    return response.body.aiGatewayId;
  }

  async function createConversation(name = 'Q3 reconciliation', extra: Record<string, unknown> = {}): Promise<Conversation> {
    const response = await http.post<Conversation>(base, { key: server.adminKey, body: { name, ...extra } });
    expect(response.status).toBe(200);
    return response.body;
  }

  async function messagesOf(conversationId: string): Promise<Message[]> {
    const response = await http.get<Page<Message>>(`${base}/${conversationId}/messages?limit=200`, { key: server.adminKey });
    expect(response.status).toBe(200);
    return response.body.data;
  }

  it('creates, lists in pages, gets and deletes conversations', async () => {
    const first = await createConversation('first', { external_user_id: 'user-7', metadata: { crm: 'A-1' } });
    const second = await createConversation('second');
    expect(first).toMatchObject({ name: 'first', agent_id: agentId, external_user_id: 'user-7', status: 'open', metadata: { crm: 'A-1' } });

    const page1 = await http.get<Page<Conversation>>(`${base}?limit=1`, { key: server.adminKey });
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((conversation) => conversation.id)).toEqual([second.id]);
    expect(page1.body.next).toEqual(expect.any(String));
    const page2 = await http.get<Page<Conversation>>(`${base}?limit=1&next=${page1.body.next}`, { key: server.adminKey });
    expect(page2.body.data.map((conversation) => conversation.id)).toEqual([first.id]);

    const byUser = await http.get<Page<Conversation>>(`${base}?external_user_id=user-7`, { key: server.adminKey });
    expect(byUser.body.data.map((conversation) => conversation.id)).toEqual([first.id]);

    const deleted = await http.delete<Conversation>(`${base}/${first.id}`, { key: server.adminKey });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: first.id, name: 'first' });
    expect((await http.get<ErrorBody>(`${base}/${first.id}`, { key: server.adminKey })).status).toBe(404);
    expect((await http.get<ErrorBody>(`${base}/${first.id}/messages`, { key: server.adminKey })).status).toBe(404);
  });

  it('opens with the agent’s initial message and sends the whole history, in order, on every turn', async () => {
    const conversation = await createConversation();
    upstream.enqueue({ kind: 'reply', content: 'Paris.' });
    const first = await http.post<PostedState>(`${base}/${conversation.id}/messages`, {
      key: server.adminKey,
      body: { content: 'What is the capital of France?' },
    });
    expect(first.status).toBe(200);
    expect(first.body.turn.status).toBe('completed');
    expect(first.body.messages.map((message) => [message.role, message.content, message.status])).toEqual([
      ['user', 'What is the capital of France?', 'completed'],
      ['assistant', 'Paris.', 'completed'],
    ]);
    expect(first.body.messages[1]?.model).toBe('@openai/scripted-model');
    expect(first.body.messages[1]?.usage?.completion_tokens).toBeGreaterThan(0);

    upstream.enqueue({ kind: 'reply', content: 'Berlin.' });
    await http.post(`${base}/${conversation.id}/messages`, { key: server.adminKey, body: { content: 'And of Germany?' } });
    const sent = upstream.lastRequest().body as { model: string; messages: SentMessage[] };
    expect(sent.model).toBe('scripted-model');
    expect(sent.messages.map((message) => [message.role, message.content])).toEqual([
      ['system', 'You are Support.'],
      ['assistant', 'Hello! How can I help?'],
      ['user', 'What is the capital of France?'],
      ['assistant', 'Paris.'],
      ['user', 'And of Germany?'],
    ]);
    const stored = await messagesOf(conversation.id);
    expect(stored.map((message) => message.content)).toEqual([
      'Hello! How can I help?',
      'What is the capital of France?',
      'Paris.',
      'And of Germany?',
      'Berlin.',
    ]);
  });

  it('pages messages oldest first', async () => {
    const conversation = await createConversation();
    upstream.enqueue({ kind: 'reply', content: 'one' });
    await http.post(`${base}/${conversation.id}/messages`, { key: server.adminKey, body: { content: 'a' } });
    const page1 = await http.get<Page<Message>>(`${base}/${conversation.id}/messages?limit=2`, { key: server.adminKey });
    expect(page1.body.data.map((message) => message.content)).toEqual(['Hello! How can I help?', 'a']);
    const page2 = await http.get<Page<Message>>(`${base}/${conversation.id}/messages?limit=2&next=${page1.body.next}`, { key: server.adminKey });
    expect(page2.body.data.map((message) => message.content)).toEqual(['one']);
    expect(page2.body.next).toBeNull();
  });

  it('streams deltas that concatenate to the reply, between a turn event and a done event', async () => {
    const conversation = await createConversation();
    upstream.enqueue({ kind: 'reply', chunks: ['The ', 'answer\nspans ', ' lines.'], delayMs: 5 });
    const stream = await openEventStream(`${server.url}${base}/${conversation.id}/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}` },
      body: { content: 'Explain.' },
    });
    expect(stream.status).toBe(200);
    expect(stream.contentType).toContain('text/event-stream');
    const events = await collectEvents(stream.events);
    const [opening] = events;
    expect(opening?.event).toBe('turn');
    const turn = JSON.parse(opening?.data ?? '{}') as { turn_id: string; message_id: string; conversation_id: string };
    expect(turn.conversation_id).toBe(conversation.id);
    expect(replyTextOf(events)).toBe('The answer\nspans  lines.');
    const done = events.at(-1);
    expect(done?.event).toBe('done');
    const final = JSON.parse(done?.data ?? '{}') as { message_id: string; status: string; usage: { completion_tokens: number } };
    expect(final).toMatchObject({ message_id: turn.message_id, status: 'completed' });
    expect(final.usage.completion_tokens).toBeGreaterThan(0);
    expect(events.every((event) => event.id?.startsWith(`${turn.turn_id}:`))).toBe(true);

    const stored = await messagesOf(conversation.id);
    expect(stored.at(-1)).toMatchObject({ id: turn.message_id, content: 'The answer\nspans  lines.', status: 'completed' });
  });

  it('finishes a turn whose client left, and replays the rest to a client that re-attaches', async () => {
    const conversation = await createConversation();
    const pieces = ['Once ', 'upon ', 'a ', 'time ', 'there ', 'was ', 'a ', 'turn.'];
    upstream.enqueue({ kind: 'reply', chunks: pieces, delayMs: 60 });
    const stream = await openEventStream(`${server.url}${base}/${conversation.id}/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}` },
      body: { content: 'Tell me a story.' },
    });
    const seen = await collectEvents(stream.events, (event) => event.event === 'message');
    stream.close();
    const turnId = (JSON.parse(seen[0]?.data ?? '{}') as { turn_id: string }).turn_id;
    const lastId = seen.at(-1)?.id ?? '';

    const resumed = await openEventStream(`${server.url}${base}/${conversation.id}/turns/${turnId}/stream`, {
      headers: { authorization: `Bearer ${server.adminKey}`, 'last-event-id': lastId },
    });
    expect(resumed.status).toBe(200);
    const rest = await collectEvents(resumed.events);
    expect(rest.some((event) => event.event === 'turn')).toBe(false);
    expect(replyTextOf(seen) + replyTextOf(rest)).toBe(pieces.join(''));
    expect(rest.at(-1)?.event).toBe('done');

    // Re-attaching after the end, from the start, gives the whole reply again.
    const replay = await openEventStream(`${server.url}${base}/${conversation.id}/turns/${turnId}/stream`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    const all = await collectEvents(replay.events);
    expect(all[0]?.event).toBe('turn');
    expect(replyTextOf(all)).toBe(pieces.join(''));
    const stored = await messagesOf(conversation.id);
    expect(stored.at(-1)).toMatchObject({ content: pieces.join(''), status: 'completed' });
  });

  it('processes messages posted at once one after the other, never interleaved', async () => {
    const conversation = await createConversation();
    upstream.enqueue({ kind: 'reply', content: 'first reply', firstByteDelayMs: 150 });
    upstream.enqueue({ kind: 'reply', content: 'second reply' });
    const [one, two] = await Promise.all([
      http.post<PostedState>(`${base}/${conversation.id}/messages`, { key: server.adminKey, body: { content: 'first question' } }),
      http.post<PostedState>(`${base}/${conversation.id}/messages`, { key: server.adminKey, body: { content: 'second question' } }),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    const requests = upstream.requests.filter((request) => request.path.endsWith('/chat/completions'));
    expect(requests).toHaveLength(2);
    const secondSent = (requests[1]?.body as { messages: SentMessage[] }).messages;
    const firstQuestion = (requests[0]?.body as { messages: SentMessage[] }).messages.at(-1)?.content;
    // Whichever was accepted first, the second call saw its question and its complete reply.
    expect(secondSent.slice(-3).map((message) => message.content)).toEqual([firstQuestion, 'first reply', expect.any(String)]);
    const stored = await messagesOf(conversation.id);
    expect(stored.slice(1).map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(stored[2]?.content).toBe('first reply');
    expect(stored[4]?.content).toBe('second reply');
  });

  it('cancels an in-flight turn, keeping what was produced, and stops the provider call', async () => {
    const conversation = await createConversation();
    upstream.enqueue({ kind: 'hang', chunks: ['Partial ', 'answer ', 'never finished'], afterChunks: 1 });
    const stream = await openEventStream(`${server.url}${base}/${conversation.id}/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}` },
      body: { content: 'Start something long.' },
    });
    const seen = await collectEvents(stream.events, (event) => event.event === 'message');
    const turnId = (JSON.parse(seen[0]?.data ?? '{}') as { turn_id: string }).turn_id;

    const cancelled = await http.delete<{ id: string; status: string }>(`${base}/${conversation.id}/turns/${turnId}`, { key: server.adminKey });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: turnId, status: 'cancelled' });
    const rest = await collectEvents(stream.events);
    const done = JSON.parse(rest.at(-1)?.data ?? '{}') as { status: string };
    expect(rest.at(-1)?.event).toBe('done');
    expect(done.status).toBe('cancelled');
    await upstream.waitUntil(() => upstream.requests.every((request) => request.aborted || request.completed));
    expect(upstream.lastRequest().aborted).toBe(true);

    const stored = await messagesOf(conversation.id);
    expect(stored.at(-1)).toMatchObject({ role: 'assistant', content: 'Partial ', status: 'cancelled' });
    const turn = await http.get<{ status: string }>(`${base}/${conversation.id}/turns/${turnId}`, { key: server.adminKey });
    expect(turn.body.status).toBe('cancelled');
  });

  it('marks a turn failed when the provider fails, keeps the user message and stays usable', async () => {
    const conversation = await createConversation();
    upstream.enqueue({ kind: 'error', status: 400, message: 'context too long for this model', code: 'context_length_exceeded' });
    const failed = await http.post<ErrorBody>(`${base}/${conversation.id}/messages`, { key: server.adminKey, body: { content: 'doomed' } });
    expect(failed.status).toBe(400);
    expect(failed.body.error.message).toContain('context too long');
    let stored = await messagesOf(conversation.id);
    expect(stored.slice(-2).map((message) => [message.role, message.status])).toEqual([
      ['user', 'completed'],
      ['assistant', 'failed'],
    ]);
    expect(stored.at(-1)?.error?.message).toContain('context too long');

    upstream.enqueue({ kind: 'reply', content: 'Recovered.' });
    const next = await http.post<PostedState>(`${base}/${conversation.id}/messages`, { key: server.adminKey, body: { content: 'try again' } });
    expect(next.status).toBe(200);
    const sent = (upstream.lastRequest().body as { messages: SentMessage[] }).messages.map((message) => message.content);
    // The failed reply is not history; the question that failed still is.
    expect(sent).toEqual(['You are Support.', 'Hello! How can I help?', 'doomed', 'try again']);
    stored = await messagesOf(conversation.id);
    expect(stored.at(-1)).toMatchObject({ content: 'Recovered.', status: 'completed' });
  });

  it('ends a stream whose provider fails mid-reply with a failed done event', async () => {
    const conversation = await createConversation();
    upstream.enqueue({ kind: 'disconnect', chunks: ['Half ', 'of it'], afterChunks: 1 });
    const stream = await openEventStream(`${server.url}${base}/${conversation.id}/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}` },
      body: { content: 'go' },
    });
    const events = await collectEvents(stream.events);
    const done = JSON.parse(events.at(-1)?.data ?? '{}') as { status: string; error: { code: string; message: string } | null };
    expect(events.at(-1)?.event).toBe('done');
    expect(done.status).toBe('failed');
    // The gateway's error event, passed on: it says how the provider failed.
    expect(done.error?.code).toBe('upstream_stream_failed');
    expect(done.error?.message).toContain('closed the stream before it finished');
    const stored = await messagesOf(conversation.id);
    expect(stored.at(-1)).toMatchObject({ status: 'failed', content: 'Half ' });
  });

  it('stores feedback on assistant messages when the agent enables it', async () => {
    const conversation = await createConversation();
    upstream.enqueue({ kind: 'reply', content: 'Rated reply.' });
    const posted = await http.post<PostedState>(`${base}/${conversation.id}/messages`, { key: server.adminKey, body: { content: 'hi' } });
    const [question, answer] = posted.body.messages;
    const rated = await http.post<Message>(`${base}/${conversation.id}/messages/${answer?.id}/feedback`, {
      key: server.adminKey,
      body: { rating: 'down', comment: 'too short' },
    });
    expect(rated.status).toBe(200);
    expect(rated.body.feedback).toMatchObject({ rating: 'down', comment: 'too short' });
    expect((await messagesOf(conversation.id)).find((message) => message.id === answer?.id)?.feedback?.rating).toBe('down');

    const onUser = await http.post<ErrorBody>(`${base}/${conversation.id}/messages/${question?.id}/feedback`, { key: server.adminKey, body: { rating: 'up' } });
    expect(onUser.status).toBe(403);
    const badRating = await http.post<ErrorBody>(`${base}/${conversation.id}/messages/${answer?.id}/feedback`, { key: server.adminKey, body: { rating: 'meh' } });
    expect(badRating.status).toBe(400);
    expect(badRating.body.error.message).toContain('rating');

    const quiet = await createAgent('Quiet');
    const quietBase = `/tenants/${server.orgId}/api/v2/agents/${quiet}/conversations`;
    const quietConversation = (await http.post<Conversation>(quietBase, { key: server.adminKey, body: { name: 'q' } })).body;
    upstream.enqueue({ kind: 'reply', content: 'No ratings here.' });
    const quietPosted = await http.post<PostedState>(`${quietBase}/${quietConversation.id}/messages`, { key: server.adminKey, body: { content: 'hi' } });
    const refused = await http.post<ErrorBody>(`${quietBase}/${quietConversation.id}/messages/${quietPosted.body.messages[1]?.id}/feedback`, {
      key: server.adminKey,
      body: { rating: 'up' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('feedback_disabled');
  });

  it('refuses bad input without writing anything', async () => {
    const conversation = await createConversation();
    const empty = await http.post<ErrorBody>(`${base}/${conversation.id}/messages`, { key: server.adminKey, body: { content: '' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('content');
    const blank = await http.post<ErrorBody>(`${base}/${conversation.id}/messages`, { key: server.adminKey, body: { content: '   ' } });
    expect(blank.status).toBe(400);
    const noName = await http.post<ErrorBody>(base, { key: server.adminKey, body: {} });
    expect(noName.status).toBe(400);
    expect(noName.body.error.message).toContain('name');
    const badFiles = await http.post<ErrorBody>(`${base}/${conversation.id}/messages`, {
      key: server.adminKey,
      body: { content: 'see file', file_ids: ['0190f0f0-0000-7000-8000-000000000001'] },
    });
    expect(badFiles.status).toBe(400);
    expect(badFiles.body.error.message).toContain('fileIds');
    expect(badFiles.body.error.message).toContain('0190f0f0-0000-7000-8000-000000000001');
    expect(await messagesOf(conversation.id)).toHaveLength(1);
    expect(upstream.requests).toHaveLength(0);
  });

  it('keeps organizations and agents apart', async () => {
    const conversation = await createConversation();
    const other = await server.server.container.organizations.create({ name: 'Other Corp' });
    const otherKey = other.apiKey.secret;

    // The key's own tenant id is required; another tenant's path is a 404 whatever the ids.
    const wrongTenant = await http.get<ErrorBody>(`/tenants/${other.organization.id}/api/v2/agents/${agentId}/conversations`, { key: server.adminKey });
    expect(wrongTenant.status).toBe(404);
    const foreign = await http.get<ErrorBody>(`/tenants/${other.organization.id}/api/v2/agents/${agentId}/conversations/${conversation.id}`, { key: otherKey });
    expect(foreign.status).toBe(404);
    const foreignPost = await http.post<ErrorBody>(`/tenants/${other.organization.id}/api/v2/agents/${agentId}/conversations/${conversation.id}/messages`, {
      key: otherKey,
      body: { content: 'hello?' },
    });
    expect(foreignPost.status).toBe(404);

    // A conversation is reached only through its own agent.
    const otherAgent = await createAgent('Sales');
    const throughOtherAgent = await http.get<ErrorBody>(`/tenants/${server.orgId}/api/v2/agents/${otherAgent}/conversations/${conversation.id}`, { key: server.adminKey });
    expect(throughOtherAgent.status).toBe(404);

    // An agent-scoped key acts on its own agent only.
    const { database, apiKeys } = server.server.container;
    const issued = await database.handle
      .transaction()
      .execute((transaction) => apiKeys.issue(transaction, operatorActor(server.orgId, 'test'), { label: 'sales agent', agentId: otherAgent }));
    const scoped = await http.get<ErrorBody>(base, { key: issued.secret });
    expect(scoped.status).toBe(403);
    const own = await http.get<Page<Conversation>>(`/tenants/${server.orgId}/api/v2/agents/${otherAgent}/conversations`, { key: issued.secret });
    expect(own.status).toBe(200);
    expect(upstream.requests).toHaveLength(0);
  });
});
