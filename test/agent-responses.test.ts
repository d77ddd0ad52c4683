import zlib from 'node:zlib';
import { Document, Packer, Paragraph } from 'docx';
import OpenAI from 'openai';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor } from '../src/platform/actor.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';

type ErrorBody = { error: { code: string; message: string } };
type SentMessage = { role: string; content: unknown };
type AgentResponse = { output: string; conversationId: string };

async function pdfSaying(line: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595, 842]);
  page.drawText(line, { x: 50, y: 780, size: 14, font: await pdf.embedFont(StandardFonts.Helvetica) });
  return pdf.save();
}

async function docxSaying(line: string): Promise<Uint8Array> {
  const document = new Document({ sections: [{ children: [new Paragraph(line)] }] });
  return new Uint8Array(await Packer.toBuffer(document));
}

/** A 1×1 red PNG, built here chunk by chunk. */
function tinyPng(): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const pixels = zlib.deflateSync(Buffer.from([0, 255, 0, 0]));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  return (content as Array<{ type: string; text?: string }>)
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
}

describe.each(dialects)('agents answering through every contract (%s)', (dialect) => {
  let upstream: ScriptedUpstream;
  let server: TestServer;
  let http: HttpClient;
  let agentId: string;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    server = await startTestServer(dialect, { OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: 'sk-upstream-0001' });
    http = httpClient(server.url);
    agentId = await createAgent('Analyst');
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });
  beforeEach(() => upstream.reset());

  async function createAgent(name: string, parameters: Record<string, unknown> = {}): Promise<string> {
    const response = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: { name, parameters: { baseAddress: '', modelName: '@openai/scripted-model', systemInstruction: `You are ${name}.`, ...parameters } },
    });
    expect(response.status).toBe(200);
    return response.body.aiGatewayId;
  }

  async function upload(bytes: Uint8Array, fileName: string, clientType: string): Promise<{ id: string; mimeType: string }> {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: clientType }), fileName);
    const response = await fetch(`${server.url}/api/v1/File`, { method: 'POST', headers: { authorization: `Bearer ${server.adminKey}` }, body: form });
    expect(response.status).toBe(200);
    return (await response.json()) as { id: string; mimeType: string };
  }

  it('answers with output and conversationId, and continues that conversation', async () => {
    upstream.enqueue({ kind: 'reply', content: 'Risks: none.' });
    const first = await http.post<AgentResponse>(`/api/v1/Agent/${agentId}/response`, {
      key: server.adminKey,
      body: { input: 'List the risks.', externalUserId: 'crm-42' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ output: 'Risks: none.', conversationId: expect.any(String) });

    upstream.enqueue({ kind: 'reply', content: 'Still none.' });
    const second = await http.post<AgentResponse>(`/api/v1/Agent/${agentId}/response`, {
      key: server.adminKey,
      body: { input: 'Sure?', conversationId: first.body.conversationId },
    });
    expect(second.body).toEqual({ output: 'Still none.', conversationId: first.body.conversationId });
    const sent = (upstream.lastRequest().body as { messages: SentMessage[] }).messages;
    expect(sent.map((message) => [message.role, message.content])).toEqual([
      ['system', 'You are Analyst.'],
      ['user', 'List the risks.'],
      ['assistant', 'Risks: none.'],
      ['user', 'Sure?'],
    ]);

    const conversation = await http.get<{ external_user_id: string }>(
      `/tenants/${server.orgId}/api/v2/agents/${agentId}/conversations/${first.body.conversationId}`,
      { key: server.adminKey },
    );
    expect(conversation.body.external_user_id).toBe('crm-42');
  });

  it('puts the text of uploaded PDF and DOCX files into the turn', async () => {
    const pdf = await upload(await pdfSaying('Quarterly revenue fell by 12 percent.'), 'report.pdf', 'application/octet-stream');
    const docx = await upload(await docxSaying('The supplier contract ends in March.'), 'contract.docx', 'text/plain');
    expect(pdf.mimeType).toBe('application/pdf');
    expect(docx.mimeType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');

    upstream.enqueue({ kind: 'reply', content: 'Revenue fell; the contract ends.' });
    const response = await http.post<AgentResponse>(`/api/v1/Agent/${agentId}/response`, {
      key: server.adminKey,
      body: { input: 'Summarize the uploaded documents.', fileIds: [pdf.id, docx.id] },
    });
    expect(response.status).toBe(200);
    const user = (upstream.lastRequest().body as { messages: SentMessage[] }).messages.at(-1);
    const text = textOfContent(user?.content);
    expect(text).toContain('Summarize the uploaded documents.');
    expect(text).toContain('Quarterly revenue fell by 12 percent.');
    expect(text).toContain('The supplier contract ends in March.');
    expect(text).toContain('report.pdf');
  });

  it('passes images as image parts, or as a note to models that take no images', async () => {
    const image = await upload(tinyPng(), 'pixel.png', 'application/octet-stream');
    expect(image.mimeType).toBe('image/png');
    upstream.enqueue({ kind: 'reply', content: 'A red pixel.' });
    await http.post(`/api/v1/Agent/${agentId}/response`, { key: server.adminKey, body: { input: 'What is this?', fileIds: [image.id] } });
    const parts = (upstream.lastRequest().body as { messages: SentMessage[] }).messages.at(-1)?.content as Array<{ type: string; image_url?: { url: string } }>;
    expect(parts.map((part) => part.type)).toEqual(['text', 'image_url']);
    expect(parts[1]?.image_url?.url).toMatch(/^data:image\/png;base64,/);

    const textOnly = await createAgent('Text only', { flags: ['DisableMultiModalInput'] });
    upstream.enqueue({ kind: 'reply', content: 'I cannot see images.' });
    await http.post(`/api/v1/Agent/${textOnly}/response`, { key: server.adminKey, body: { input: 'What is this?', fileIds: [image.id] } });
    const content = (upstream.lastRequest().body as { messages: SentMessage[] }).messages.at(-1)?.content as Array<{ type: string }>;
    expect(content.every((part) => part.type === 'text')).toBe(true);
    expect(textOfContent(content)).toContain('pixel.png');
  });

  it('refuses unknown files, empty input and other agents’ conversations without writing anything', async () => {
    const unknown = '0190f0f0-0000-7000-8000-0000000000aa';
    const badFiles = await http.post<ErrorBody>(`/api/v1/Agent/${agentId}/response`, {
      key: server.adminKey,
      body: { input: 'Read this.', fileIds: [unknown] },
    });
    expect(badFiles.status).toBe(400);
    expect(badFiles.body.error.message).toContain(unknown);
    expect(badFiles.body.error.message).toContain('fileIds');

    const empty = await http.post<ErrorBody>(`/api/v1/Agent/${agentId}/response`, { key: server.adminKey, body: { input: '  ' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('input');

    upstream.enqueue({ kind: 'reply', content: 'ok' });
    const mine = await http.post<AgentResponse>(`/api/v1/Agent/${agentId}/response`, { key: server.adminKey, body: { input: 'hi' } });
    const otherAgent = await createAgent('Other');
    const crossed = await http.post<ErrorBody>(`/api/v1/Agent/${otherAgent}/response`, {
      key: server.adminKey,
      body: { input: 'hi', conversationId: mine.body.conversationId },
    });
    expect(crossed.status).toBe(404);

    const other = await server.server.container.organizations.create({ name: 'Elsewhere' });
    const foreign = await http.post<ErrorBody>(`/api/v1/Agent/${agentId}/response`, { key: other.apiKey.secret, body: { input: 'hi' } });
    expect(foreign.status).toBe(404);
    expect(upstream.requests).toHaveLength(1);
  });

  it('runs an agent through /v1/chat/completions with the openai client, for its own agent key only', async () => {
    const { database, apiKeys } = server.server.container;
    const issued = await database.handle
      .transaction()
      .execute((transaction) => apiKeys.issue(transaction, operatorActor(server.orgId, 'test'), { label: 'analyst', agentId }));
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: issued.secret, maxRetries: 0 });
    upstream.enqueue({ kind: 'reply', content: 'From the agent.' });
    const completion = await client.chat.completions.create({ model: agentId, messages: [{ role: 'user', content: 'Who are you?' }] });
    expect(completion.choices[0]?.message.content).toBe('From the agent.');
    expect(completion.model).toBe(agentId);
    expect((completion as unknown as { generation_context: { runned_functions: unknown[] } }).generation_context.runned_functions).toEqual([]);
    const sent = (upstream.lastRequest().body as { messages: SentMessage[] }).messages;
    expect(sent[0]).toEqual({ role: 'system', content: 'You are Analyst.' });

    const otherAgent = await createAgent('Not yours');
    await expect(client.chat.completions.create({ model: otherAgent, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 403 });
    await expect(client.chat.completions.create({ model: '@openai/scripted-model', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      status: 403,
    });
  });
});
