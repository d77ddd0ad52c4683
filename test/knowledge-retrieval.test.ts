import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { waitIndexed } from './support/knowledge-index.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface KnowledgeEntry {
  document_id: string;
  document_name: string;
  collection_id: string;
  position: number;
  score: number;
  content: string;
}
interface Message {
  id: string;
  turn_id: string | null;
  role: string;
  content: string;
  status: string;
  tool_calls: Array<{ name: string; kind: string; status: string; result: string | null }> | null;
  knowledge: KnowledgeEntry[] | null;
}
interface SentMessage {
  role: string;
  content: unknown;
  tool_call_id?: string;
}
interface Sent {
  messages: SentMessage[];
  tools?: Array<{ function: { name: string } }>;
}

const DESCALING = 'Descaling: run the descaling solution through the espresso machine every three months so limescale does not clog the boiler.';
const WARRANTY = 'Warranty: the boiler and the pump are covered for two years from the date of purchase; keep the receipt.';
const UNPACKING = 'Unpacking: lift the espresso machine out of its box, remove the foam corners and place it on a level counter.';
const MANUAL = 'espresso-manual.pdf';
const DESCALING_METADATA = { page: 12, chapter: 'Maintenance' };
const CORPUS = [
  { name: 'manual:unpacking', reference: MANUAL, contents: UNPACKING },
  { name: 'manual:descaling', reference: MANUAL, contents: DESCALING, metadata: DESCALING_METADATA },
  { name: 'manual:warranty', reference: MANUAL, contents: WARRANTY },
  { name: 'kitchen:bread', contents: 'Knead the dough for ten minutes, let it rise for an hour in a warm place, then bake it at 220 degrees.' },
  { name: 'travel:trains', contents: 'Night trains from Vienna reach Venice in the morning; couchettes sleep six and private compartments sleep two.' },
  { name: 'garden:tomatoes', contents: 'Tomatoes need full sun, deep watering twice a week and a stake once the first flowers appear.' },
  { name: 'finance:invoices', contents: 'Invoices are due thirty days after issue; late payments incur a fee of two percent per month.' },
];
/** Another organization's passage: it names descaling, so any leak would be found by the same questions. */
const FOREIGN_SECRET = 'Descaling the espresso machine in the lab: the vault combination is 7391.';

const REWRITE_INSTRUCTIONS = 'You write search queries for a knowledge base';
const PASSAGES_PREAMBLE = 'Passages retrieved from the knowledge base';

describe.each(dialects)('knowledge retrieval for agents (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let http: HttpClient;
  let manualCollection: string;
  let foreignCollection: string;


  async function createCollection(name: string, documents: readonly Record<string, unknown>[], key: string): Promise<string> {
    const id = (await http.post<{ collectionId: string }>('/api/v1/collections', { key, body: { collectionName: name } })).body.collectionId;
    for (const document of documents) {
      const created = await http.put(`/api/v1/collections/${id}/documents`, { key, body: document });
      expect(created.status).toBe(200);
    }
    await waitIndexed(http, id, documents.length, key);
    return id;
  }

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    server = await startTestServer(dialect, {
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'sk-upstream-0001',
      AGENTRY_WORKERS: 'true',
      AGENTRY_JOB_POLL_INTERVAL_MS: '50',
    });
    http = httpClient(server.url);
    const otherKey = (await server.server.container.organizations.create({ name: 'Other retrieval org' })).apiKey.secret;
    [manualCollection, foreignCollection] = await Promise.all([
      createCollection('Espresso support', CORPUS, server.adminKey),
      createCollection('Lab notes', [{ name: 'secret:vault', contents: FOREIGN_SECRET }], otherKey),
    ]);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });
  beforeEach(() => upstream.reset());

  async function createAgent(name: string, parameters: Record<string, unknown>, profile: Record<string, unknown> = {}): Promise<string> {
    const response = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: { name, parameters: { baseAddress: '', modelName: '@openai/scripted-model', systemInstruction: `You are ${name}.`, ...parameters }, profile },
    });
    expect(response.status).toBe(200);
    return response.body.aiGatewayId;
  }

  const conversations = (agentId: string) => `/tenants/${server.orgId}/api/v2/agents/${agentId}/conversations`;

  async function open(agentId: string): Promise<string> {
    return (await http.post<{ id: string }>(conversations(agentId), { key: server.adminKey, body: { name: 'retrieval' } })).body.id;
  }

  /** Posts a user message and returns the stored reply (read back, not the posted echo). */
  async function ask(agentId: string, conversationId: string, content: string): Promise<Message> {
    const posted = await http.post<{ messages: Message[] }>(`${conversations(agentId)}/${conversationId}/messages`, { key: server.adminKey, body: { content } });
    expect(posted.status).toBe(200);
    const stored = await http.get<{ data: Message[] }>(`${conversations(agentId)}/${conversationId}/messages`, { key: server.adminKey });
    const reply = stored.body.data.find((message) => message.id === posted.body.messages[1]?.id);
    expect(reply).toBeDefined();
    return reply as Message;
  }

  const sent = (): Sent[] => upstream.requests.filter((request) => request.path.endsWith('/chat/completions')).map((request) => request.body as Sent);
  const systemTexts = (request: Sent | undefined) => (request?.messages ?? []).filter((message) => message.role === 'system').map((message) => String(message.content));
  const passagesOf = (request: Sent | undefined) => systemTexts(request).filter((text) => text.startsWith(PASSAGES_PREAMBLE));
  const passageCount = (text: string) => text.match(/^\[\d+\] Document: /gm)?.length ?? 0;

  it('Plain: injects the best passage with its document name before the user’s message and records it on the reply', async () => {
    const agentId = await createAgent('Barista', { knowledgeCollections: [manualCollection] });
    upstream.enqueue({ kind: 'reply', content: 'Descale every three months [manual:descaling].' });
    const reply = await ask(agentId, await open(agentId), 'How do I descale my espresso machine?');

    const [request] = sent();
    const messages = request?.messages ?? [];
    const passageIndex = messages.findIndex((message) => String(message.content).startsWith(PASSAGES_PREAMBLE));
    expect(passageIndex).toBeGreaterThanOrEqual(0);
    expect(messages[passageIndex]?.role).toBe('system');
    expect(messages.at(-1)).toMatchObject({ role: 'user', content: 'How do I descale my espresso machine?' });
    expect(passageIndex).toBeLessThan(messages.length - 1);
    const passages = String(messages[passageIndex]?.content);
    expect(passages).toContain('[1] Document: manual:descaling (collection: Espresso support)');
    expect(passages).toContain(DESCALING);
    // Neither references nor metadata unless the agent asks for them.
    expect(passages).not.toContain('Related passage');
    expect(passages).not.toContain('Metadata:');

    expect(reply.content).toBe('Descale every three months [manual:descaling].');
    const descaling = reply.knowledge?.find((entry) => entry.document_name === 'manual:descaling');
    expect(descaling).toMatchObject({ collection_id: manualCollection, position: 0, content: DESCALING });
    expect(descaling?.score).toBeGreaterThan(0);
    expect(descaling?.score).toBeLessThanOrEqual(1);
    expect(reply.knowledge?.[0]?.document_name).toBe('manual:descaling');
    // Every passage shown to the model is recorded, and only those.
    expect(reply.knowledge).toHaveLength(passageCount(passages));
  });

  it('knowledgeBaseMaximumResults caps the passages; knowledgeBaseMinimumScore leaves out weak ones', async () => {
    const capped = await createAgent('Capped', { knowledgeCollections: [manualCollection], knowledgeBaseMaximumResults: 1 });
    const cappedReply = await ask(capped, await open(capped), 'How do I descale my espresso machine?');
    const [passages] = passagesOf(sent()[0]);
    expect(passageCount(passages ?? '')).toBe(1);
    expect(passages).toContain('[1] Document: manual:descaling');
    expect(cappedReply.knowledge?.map((entry) => entry.document_name)).toEqual(['manual:descaling']);

    upstream.reset();
    const strict = await createAgent('Strict', { knowledgeCollections: [manualCollection], knowledgeBaseMinimumScore: 0.99 });
    upstream.enqueue({ kind: 'reply', content: 'I do not know.' });
    const strictReply = await ask(strict, await open(strict), 'Who painted the ceiling of the Sistine Chapel?');
    expect(passagesOf(sent()[0])).toEqual([]);
    expect(systemTexts(sent()[0])).toEqual(['You are Strict.']);
    expect(strictReply).toMatchObject({ content: 'I do not know.', knowledge: null });
  });

  it('adds the sibling sections of the source with knowledgeUseReferences, and the metadata with knowledgeUseMetaDescriptions', async () => {
    const agentId = await createAgent('Thorough', {
      knowledgeCollections: [manualCollection],
      knowledgeBaseMaximumResults: 1,
      knowledgeUseReferences: true,
      knowledgeUseMetaDescriptions: true,
    });
    await ask(agentId, await open(agentId), 'How do I descale my espresso machine?');
    const [passages] = passagesOf(sent()[0]);
    expect(passages).toContain('[1] Document: manual:descaling');
    // Key order is the database's (PostgreSQL's jsonb reorders keys), so the line is compared as JSON.
    const metadataLine = /^Metadata: (.*)$/m.exec(passages ?? '')?.[1];
    expect(JSON.parse(metadataLine ?? 'null')).toEqual(DESCALING_METADATA);
    const afterPassage = (passages ?? '').slice((passages ?? '').indexOf(DESCALING));
    expect(afterPassage).toContain(`Related passage (same source): ${UNPACKING}`);
    expect(afterPassage).toContain(`Related passage (same source): ${WARRANTY}`);
    expect(afterPassage).not.toContain(`Related passage (same source): ${DESCALING}`);
  });

  it('Concatenate: searches with the recent user messages, so a follow-up finds what the conversation is about', async () => {
    const agentId = await createAgent('Follower', {
      knowledgeCollections: [manualCollection],
      knowledgeBaseMaximumResults: 1,
      queryStrategy: 'Concatenate',
      queryStrategyParameters: { concatenateContextSize: 2 },
    });
    const conversationId = await open(agentId);
    upstream.enqueue({ kind: 'reply', content: 'Happy to help with that.' });
    await ask(agentId, conversationId, 'I want to descale my espresso machine');
    upstream.reset();
    upstream.enqueue({ kind: 'reply', content: 'Every three months.' });
    const reply = await ask(agentId, conversationId, 'How often should I do that?');
    const [request] = sent();
    expect(request?.messages.at(-1)).toMatchObject({ role: 'user', content: 'How often should I do that?' });
    const [passages] = passagesOf(request);
    expect(passages).toContain('[1] Document: manual:descaling');
    expect(reply.knowledge?.map((entry) => entry.document_name)).toEqual(['manual:descaling']);

    // The follow-up alone does not lead there.
    upstream.reset();
    const plain = await createAgent('Forgetful follower', { knowledgeCollections: [manualCollection], knowledgeBaseMaximumResults: 1 });
    const plainReply = await ask(plain, await open(plain), 'How often should I do that?');
    expect(plainReply.knowledge?.map((entry) => entry.document_name) ?? []).not.toContain('manual:descaling');
  });

  /**
   * A rewriting agent's two turns: a purchase (rewrite, then a welcome), then
   * "Tell me more." (rewrite to a warranty query, then `answer`). The upstream's
   * log is reset between them, so `sent()` holds the second turn's two calls.
   */
  async function followUpWithRewrite(name: string, queryStrategy: 'FullRewrite' | 'UserRewrite', answer: string) {
    const agentId = await createAgent(name, { knowledgeCollections: [manualCollection], knowledgeBaseMaximumResults: 1, queryStrategy });
    const conversationId = await open(agentId);
    upstream.enqueue({ kind: 'reply', content: 'espresso machine unpacking' });
    upstream.enqueue({ kind: 'reply', content: 'Welcome to the family!' });
    await ask(agentId, conversationId, 'I just bought your espresso machine.');
    upstream.reset();
    upstream.enqueue({ kind: 'reply', content: 'warranty boiler coverage' });
    upstream.enqueue({ kind: 'reply', content: answer });
    return ask(agentId, conversationId, 'Tell me more.');
  }

  it('FullRewrite: asks the model for a search query from the transcript first, then answers with what it finds', async () => {
    const reply = await followUpWithRewrite('Rewriter', 'FullRewrite', 'Two years [manual:warranty].');

    const [rewrite, answer] = sent();
    expect(systemTexts(rewrite).some((text) => text.startsWith(REWRITE_INSTRUCTIONS))).toBe(true);
    expect(passagesOf(rewrite)).toEqual([]);
    const transcript = String(rewrite?.messages.at(-1)?.content);
    expect(transcript).toContain('User: I just bought your espresso machine.');
    expect(transcript).toContain('Assistant: Welcome to the family!');
    expect(transcript).toContain('User: Tell me more.');
    expect(transcript.indexOf('Assistant: Welcome')).toBeLessThan(transcript.indexOf('User: Tell me more.'));

    const [passages] = passagesOf(answer);
    expect(passages).toContain('[1] Document: manual:warranty');
    expect(passages).toContain(WARRANTY);
    expect(answer?.messages.at(-1)).toMatchObject({ role: 'user', content: 'Tell me more.' });
    expect(reply).toMatchObject({ content: 'Two years [manual:warranty].' });
    expect(reply.knowledge?.map((entry) => entry.document_name)).toEqual(['manual:warranty']);
    expect(upstream.pendingSteps).toBe(0);
  });

  it('UserRewrite: the transcript for the rewrite holds only the user’s messages', async () => {
    const reply = await followUpWithRewrite('User rewriter', 'UserRewrite', 'Two years.');

    const [rewrite, answer] = sent();
    const transcript = String(rewrite?.messages.at(-1)?.content);
    expect(transcript).toContain('User: I just bought your espresso machine.');
    expect(transcript).toContain('User: Tell me more.');
    expect(transcript).not.toContain('Assistant:');
    expect(transcript).not.toContain('Welcome to the family');
    expect(passagesOf(answer)[0]).toContain('[1] Document: manual:warranty');
    expect(reply.knowledge?.map((entry) => entry.document_name)).toEqual(['manual:warranty']);
  });

  it('builds a queued turn’s query from the messages up to its own, not from messages posted after it', async () => {
    const agentId = await createAgent('Queued rewriter', { knowledgeCollections: [manualCollection], queryStrategy: 'UserRewrite' });
    const conversationId = await open(agentId);
    const base = `${conversations(agentId)}/${conversationId}`;
    // The first turn's rewrite hangs, so the next two messages queue behind it.
    upstream.enqueue({ kind: 'hang' });
    for (const step of ['descaling', 'Descale every three months.', 'warranty', 'Two years.']) upstream.enqueue({ kind: 'reply', content: step });
    const storedUserMessages = async (count: number) => {
      await expect.poll(async () => (await http.get<{ data: Message[] }>(`${base}/messages`, { key: server.adminKey })).body.data.filter((message) => message.role === 'user').length).toBe(count);
    };
    const post = (content: string) => http.post<{ messages: Message[] }>(`${base}/messages`, { key: server.adminKey, body: { content } });
    const first = post('Hello there.');
    await upstream.waitForRequests(1);
    const second = post('How do I descale it?');
    await storedUserMessages(2);
    const third = post('And what does the warranty cover?');
    await storedUserMessages(3);
    const firstTurn = (await http.get<{ data: Message[] }>(`${base}/messages`, { key: server.adminKey })).body.data[0]?.turn_id;
    expect((await http.delete(`${base}/turns/${firstTurn}`, { key: server.adminKey })).status).toBe(200);
    expect((await first).body.messages[1]?.status).toBe('cancelled');
    // Cancelling the turn aborted its rewrite request.
    await upstream.waitUntil(() => upstream.requests[0]?.aborted === true, { description: 'the hanging rewrite request to be aborted' });
    const [secondReply, thirdReply] = await Promise.all([second, third]);
    expect(secondReply.status).toBe(200);
    expect(thirdReply.status).toBe(200);

    const rewrites = sent().filter((request) => systemTexts(request).some((text) => text.startsWith(REWRITE_INSTRUCTIONS)));
    expect(rewrites).toHaveLength(3);
    const transcriptOfSecond = String(rewrites[1]?.messages.at(-1)?.content);
    expect(transcriptOfSecond).toContain('User: How do I descale it?');
    expect(transcriptOfSecond).not.toContain('warranty');
    expect(String(rewrites[2]?.messages.at(-1)?.content)).toMatch(/User: And what does the warranty cover\?$/);
  });

  it('QueryFunction: offers search_knowledge instead of injecting passages, and records what the tool returned', async () => {
    const agentId = await createAgent('Searcher', { knowledgeCollections: [manualCollection], knowledgeBaseMaximumResults: 1, queryStrategy: 'QueryFunction' });
    upstream.enqueue({ kind: 'reply', toolCalls: [{ id: 'call_search', name: 'search_knowledge', arguments: '{"query":"warranty"}' }] });
    upstream.enqueue({ kind: 'reply', content: 'The boiler is covered for two years [manual:warranty].' });
    const reply = await ask(agentId, await open(agentId), 'What does the guarantee cover?');

    const [first, second] = sent();
    expect(first?.tools?.map((tool) => tool.function.name)).toEqual(['search_knowledge']);
    expect(passagesOf(first)).toEqual([]);
    expect(systemTexts(first).some((text) => text.includes('search_knowledge tool') && text.includes('Espresso support'))).toBe(true);
    const toolMessage = second?.messages.find((message) => message.role === 'tool');
    expect(toolMessage?.tool_call_id).toBe('call_search');
    expect(String(toolMessage?.content)).toContain('[1] Document: manual:warranty');
    expect(String(toolMessage?.content)).toContain(WARRANTY);

    expect(reply.content).toBe('The boiler is covered for two years [manual:warranty].');
    expect(reply.tool_calls?.[0]).toMatchObject({ name: 'search_knowledge', kind: 'knowledge', status: 'completed' });
    expect(reply.knowledge).toHaveLength(1);
    expect(reply.knowledge?.[0]).toMatchObject({ document_name: 'manual:warranty', collection_id: manualCollection, content: WARRANTY });
  });

  it('searches the profile’s dataSourceCollections with their own maxChunks and relevanceThreshold', async () => {
    const agentId = await createAgent('Profiled', { knowledgeBaseMaximumResults: 5 }, { dataSourceCollections: [{ id: manualCollection, maxChunks: 2 }] });
    const reply = await ask(agentId, await open(agentId), 'espresso machine boiler');
    const [passages] = passagesOf(sent()[0]);
    expect(passageCount(passages ?? '')).toBe(2);
    expect(reply.knowledge).toHaveLength(2);
    expect(reply.knowledge?.every((entry) => entry.collection_id === manualCollection)).toBe(true);

    upstream.reset();
    const strict = await createAgent('Profiled strict', {}, { dataSourceCollections: [{ id: manualCollection, maxChunks: 2, relevanceThreshold: 0.99 }] });
    const strictReply = await ask(strict, await open(strict), 'Who painted the ceiling of the Sistine Chapel?');
    expect(passagesOf(sent()[0])).toEqual([]);
    expect(strictReply.knowledge).toBeNull();
  });

  it('ignores a collection of another organization: none of its passages reach the model, and the turn still answers', async () => {
    const mixed = await createAgent('Mixed', { knowledgeCollections: [foreignCollection, manualCollection] });
    upstream.enqueue({ kind: 'reply', content: 'Use the descaling solution.' });
    const mixedReply = await ask(mixed, await open(mixed), 'How do I descale the espresso machine in the lab?');
    expect(mixedReply).toMatchObject({ status: 'completed', content: 'Use the descaling solution.' });
    expect(JSON.stringify(sent())).not.toContain('7391');
    expect(passagesOf(sent()[0])[0]).toContain('Document: manual:descaling');
    expect(mixedReply.knowledge?.length).toBeGreaterThan(0);
    expect(mixedReply.knowledge?.every((entry) => entry.collection_id === manualCollection)).toBe(true);

    upstream.reset();
    const foreignOnly = await createAgent('Trespasser', { knowledgeCollections: [foreignCollection] }, { dataSourceCollections: [{ id: foreignCollection }] });
    upstream.enqueue({ kind: 'reply', content: 'I cannot find that.' });
    const foreignReply = await ask(foreignOnly, await open(foreignOnly), 'What is the vault combination for descaling in the lab?');
    expect(foreignReply).toMatchObject({ status: 'completed', content: 'I cannot find that.', knowledge: null });
    expect(JSON.stringify(sent())).not.toContain('7391');
    expect(systemTexts(sent()[0])).toEqual(['You are Trespasser.']);
  });
});
