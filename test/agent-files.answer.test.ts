import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorActor } from '../src/platform/actor.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { waitIndexed } from './support/knowledge-index.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface AgentFile {
  id: string;
  collectionId: string | null;
  documentId: string | null;
}
type Sent = { messages: Array<{ role: string; content: unknown }> };

async function makePdf(lines: string[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage();
  lines.forEach((line, index) => page.drawText(line, { x: 50, y: 700 - index * 20, font, size: 12 }));
  return Buffer.from(await pdf.save());
}

/**
 * The whole path a raia-style integration takes: upload a file with the agent's key,
 * add it to the assistant, and the agent's next answer is grounded in it.
 */
describe.each(dialects)('agent files to answers (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let http: HttpClient;
  let agentKey: string;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    server = await startTestServer(dialect, {
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'sk-upstream-0001',
      AGENTRY_WORKERS: 'true',
      AGENTRY_JOB_POLL_INTERVAL_MS: '50',
    });
    http = httpClient(server.url);
    const agent = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: { name: 'Returns desk', parameters: { baseAddress: '', modelName: '@openai/scripted-model', systemInstruction: 'You answer questions about returns.' } },
    });
    const { database, apiKeys } = server.server.container;
    agentKey = (
      await database.handle
        .transaction()
        .execute((transaction) => apiKeys.issue(transaction, operatorActor(server.orgId, 'test'), { label: 'agent', agentId: agent.body.aiGatewayId }))
    ).secret;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  const asAgent = () => ({ headers: { 'agent-secret-key': agentKey } });

  it('answers from an uploaded PDF once it is added to the assistant', async () => {
    const form = new FormData();
    const pdf = await makePdf([
      'Returns policy of Northwind Outfitters.',
      'Unworn boots may be returned within 45 days of delivery for a full refund.',
      'Gift cards cannot be exchanged for cash.',
    ]);
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'returns-policy.pdf');
    const uploaded = await fetch(`${server.url}/external/agent-files/upload`, { method: 'POST', headers: asAgent().headers, body: form });
    expect(uploaded.status).toBe(200);
    const file = (await uploaded.json()) as AgentFile;

    const added = await http.put<AgentFile>(`/external/agent-files/${file.id}/add-to-assistant`, asAgent());
    expect(added.status).toBe(200);
    const collectionId = added.body.collectionId!;
    await waitIndexed(http, collectionId, 1, server.adminKey);

    upstream.enqueue({ kind: 'reply', content: 'You have 45 days to return unworn boots [returns-policy.pdf].' });
    const started = await http.post<{ conversationId: string }>('/external/conversations/start', { ...asAgent(), body: {} });
    expect(started.status).toBeLessThan(300);
    const reply = await http.post<{ reply: { message: string } }>(`/external/conversations/${started.body.conversationId}/messages`, {
      ...asAgent(),
      body: { message: 'How long do I have to send back boots I never wore?' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.reply.message).toContain('45 days');

    const sent = upstream.requests.filter((request) => request.path.endsWith('/chat/completions')).at(-1)?.body as Sent;
    const knowledge = sent.messages.find((message) => message.role === 'system' && String(message.content).includes('returns-policy.pdf'));
    expect(knowledge, 'the passage reaches the model with its document name').toBeDefined();
    expect(String(knowledge?.content)).toContain('45 days of delivery');
    // The passage comes before the user's question.
    expect(sent.messages.at(-1)).toMatchObject({ role: 'user' });
  }, 90_000);
});
