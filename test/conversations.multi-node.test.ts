import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/server.js';
import { dialects } from './support/dialects.js';
import { collectEvents, openEventStream, replyTextOf } from './support/event-source.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';



/** Two Agentry nodes on one database: what a client does on one node reaches a turn running on the other. */
describe.each(dialects)('conversation turns across nodes (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let nodeA: TestServer;
  let nodeB: RunningServer;
  let a: HttpClient;
  let b: HttpClient;
  let base: string;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    nodeA = await startTestServer(dialect, { OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: 'sk-upstream-0001' });
    nodeB = await startServer(nodeA.config);
    a = httpClient(nodeA.url);
    b = httpClient(nodeB.url);
    const agent = await a.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: nodeA.adminKey,
      body: { name: 'Shared', parameters: { baseAddress: '', modelName: '@openai/scripted-model' } },
    });
    base = `/tenants/${nodeA.orgId}/api/v2/agents/${agent.body.aiGatewayId}/conversations`;
  });
  afterAll(async () => {
    await nodeB?.stop();
    await nodeA?.close();
    await upstream?.close();
  });

  async function openConversation(): Promise<string> {
    const created = await a.post<{ id: string }>(base, { key: nodeA.adminKey, body: { name: 'shared' } });
    return created.body.id;
  }

  it('follows a turn running on another node, from where the client left off', async () => {
    const conversationId = await openConversation();
    const pieces = ['Node ', 'A ', 'writes ', 'this ', 'while ', 'B ', 'reads.'];
    upstream.enqueue({ kind: 'reply', chunks: pieces, delayMs: 80 });
    const onA = await openEventStream(`${nodeA.url}${base}/${conversationId}/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${nodeA.adminKey}` },
      body: { content: 'go' },
    });
    const seen = await collectEvents(onA.events, (event) => event.event === 'message');
    onA.close();
    const turnId = (JSON.parse(seen[0]?.data ?? '{}') as { turn_id: string }).turn_id;

    const onB = await openEventStream(`${nodeB.url}${base}/${conversationId}/turns/${turnId}/stream`, {
      headers: { authorization: `Bearer ${nodeA.adminKey}`, 'last-event-id': seen.at(-1)?.id ?? '' },
    });
    const rest = await collectEvents(onB.events);
    expect(replyTextOf(seen) + replyTextOf(rest)).toBe(pieces.join(''));
    expect(JSON.parse(rest.at(-1)?.data ?? '{}')).toMatchObject({ status: 'completed' });
  });

  it('cancels, through one node, a turn running on the other', async () => {
    const conversationId = await openConversation();
    upstream.enqueue({ kind: 'hang', chunks: ['Started ', 'but ', 'never ', 'done'], afterChunks: 1 });
    const onA = await openEventStream(`${nodeA.url}${base}/${conversationId}/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${nodeA.adminKey}` },
      body: { content: 'long task' },
    });
    const seen = await collectEvents(onA.events, (event) => event.event === 'message');
    const cancelled = await b.post<{ cancelled: Array<{ status: string }> }>(`${base}/${conversationId}/cancel`, { key: nodeA.adminKey });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.cancelled).toHaveLength(1);

    const rest = await collectEvents(onA.events);
    expect(rest.at(-1)?.event).toBe('done');
    expect(JSON.parse(rest.at(-1)?.data ?? '{}')).toMatchObject({ status: 'cancelled' });
    expect(replyTextOf(seen) + replyTextOf(rest)).toBe('Started ');
    await upstream.waitUntil(() => upstream.lastRequest().aborted);

    const messages = await b.get<{ data: Array<{ status: string; content: string }> }>(`${base}/${conversationId}/messages`, { key: nodeA.adminKey });
    expect(messages.body.data.at(-1)).toMatchObject({ status: 'cancelled', content: 'Started ' });
  });

  it('keeps turns of one conversation in order when two nodes accept them', async () => {
    const conversationId = await openConversation();
    upstream.enqueue({ kind: 'reply', content: 'answer from the first turn', firstByteDelayMs: 300 });
    upstream.enqueue({ kind: 'reply', content: 'answer from the second turn' });
    // Earlier tests' requests are still recorded: wait for this turn's own request, so 'first' is stored before 'second' is sent.
    const earlier = upstream.requests.length;
    const first = a.post(`${base}/${conversationId}/messages`, { key: nodeA.adminKey, body: { content: 'first' } });
    await upstream.waitForRequests(earlier + 1);
    const second = b.post(`${base}/${conversationId}/messages`, { key: nodeA.adminKey, body: { content: 'second' } });
    const [one, two] = await Promise.all([first, second]);
    expect([one.status, two.status]).toEqual([200, 200]);
    const sent = (upstream.lastRequest().body as { messages: Array<{ content: string }> }).messages.map((message) => message.content);
    expect(sent.slice(-3)).toEqual(['first', 'answer from the first turn', 'second']);
  });
});
