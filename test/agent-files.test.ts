import fs from 'node:fs/promises';
import path from 'node:path';
import { Document, Packer, Paragraph } from 'docx';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorActor } from '../src/platform/actor.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface AgentFile {
  id: string;
  agentId: string;
  name: string;
  mimeType: string;
  size: number;
  status: string;
  addedToAssistant: boolean;
  collectionId: string | null;
  documentId: string | null;
  textTruncated: boolean;
  createdAt: string;
  updatedAt: string;
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
interface DocumentSummary {
  id: string;
  name: string;
  reference: string | null;
}
interface DocumentView {
  id: string;
  name: string;
  contents: string;
  reference: string | null;
  metadata: Record<string, unknown>;
}
type ErrorBody = { error: { code: string; message: string; details?: unknown } };

/** Low, so the limit is reached with a small body; the documents below are a few kilobytes. */
const MAX_BYTES = 256 * 1024;
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
/** A 1×1 PNG. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5b1c6e60000000049454e44ae426082',
  'hex',
);
/** An empty zip archive (its end-of-central-directory record only). */
const ZIP = Buffer.from('504b0506000000000000000000000000000000000000', 'hex');

async function makePdf(lines: string[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const line of lines) pdf.addPage().drawText(line, { x: 50, y: 700, font, size: 14 });
  return Buffer.from(await pdf.save());
}

async function makeDocx(paragraphs: string[]): Promise<Buffer> {
  return Packer.toBuffer(new Document({ sections: [{ children: paragraphs.map((text) => new Paragraph(text)) }] }));
}

describe.each(dialects)('Agent-key API agent files (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;
  let agentId: string;
  let agentKey: string;

  beforeAll(async () => {
    server = await startTestServer(dialect, { AGENTRY_FILE_MAX_BYTES: String(MAX_BYTES) });
    http = httpClient(server.url);
    agentId = await createAgent('Support desk');
    agentKey = await issueAgentKey(server.orgId, agentId);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function createAgent(name: string, profile: Record<string, unknown> = {}, key = server.adminKey): Promise<string> {
    const response = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key,
      body: { name, parameters: { baseAddress: '', modelName: '@openai/scripted-model' }, profile },
    });
    expect(response.status).toBe(200);
    return response.body.aiGatewayId;
  }

  async function issueAgentKey(orgId: string, forAgent: string): Promise<string> {
    const { database, apiKeys } = server.server.container;
    const issued = await database.handle
      .transaction()
      .execute((transaction) => apiKeys.issue(transaction, operatorActor(orgId, 'test'), { label: 'agent', agentId: forAgent }));
    return issued.secret;
  }

  /** Uploads as a browser or SDK would: multipart FormData, `name` before `file`, with whatever type the client claims. */
  async function upload(fileName: string, content: Buffer | string, options: { key?: string | null; name?: string; claimedType?: string } = {}) {
    const form = new FormData();
    if (options.name !== undefined) form.append('name', options.name);
    form.append('file', new Blob([content], { type: options.claimedType ?? 'application/octet-stream' }), fileName);
    const key = options.key === undefined ? agentKey : options.key;
    const response = await fetch(`${server.url}/external/agent-files/upload`, { method: 'POST', headers: key ? { 'agent-secret-key': key } : {}, body: form });
    return { status: response.status, body: (await response.json()) as AgentFile & ErrorBody };
  }

  const asAgent = (key = agentKey) => ({ headers: { 'agent-secret-key': key } });
  const addToAssistant = (id: string, key = agentKey) => http.put<AgentFile & ErrorBody>(`/external/agent-files/${id}/add-to-assistant`, asAgent(key));
  const remove = (id: string, key = agentKey) => http.delete<ErrorBody | string>(`/external/agent-files/${id}`, asAgent(key));
  const list = (query: string, key = agentKey) => http.get<NumberedPage<AgentFile> & ErrorBody>(`/external/agent-files/by-api-key${query}`, asAgent(key));
  const documentsOf = (collectionId: string) => http.get<DocumentSummary[]>(`/api/v1/collections/${collectionId}/documents`, { key: server.adminKey });
  const agentView = (id: string) =>
    http.get<{ dataSourceCollections: Array<{ id: string; maxChunks?: number | null }> }>(`/api/v1/Agent/${id}`, {
      headers: { 'x-api-key': server.adminKey, 'x-org-id': server.orgId },
    });

  async function storedText(id: string): Promise<string | undefined> {
    const row = await server.server.container.database.handle.selectFrom('agent_files').select('text').where('id', '=', id).executeTakeFirst();
    return row?.text;
  }

  async function fileCount(): Promise<number> {
    return (await server.server.container.database.handle.selectFrom('agent_files').select('id').execute()).length;
  }

  function blobPath(id: string): string {
    return path.join(server.config.blobDir, 'agent-files', server.orgId, id);
  }

  it('uploads Markdown, a PDF and a DOCX, detecting each type and extracting the text at upload', async () => {
    const markdown = '# Returns\n\nItems may be returned within **30 days**.\n';
    const md = await upload('returns.md', markdown, { claimedType: 'application/pdf' });
    expect(md.status).toBe(200);
    expect(md.body).toMatchObject({
      agentId,
      name: 'returns.md',
      mimeType: 'text/markdown',
      size: Buffer.byteLength(markdown),
      status: 'uploaded',
      addedToAssistant: false,
      collectionId: null,
      documentId: null,
      textTruncated: false,
    });
    expect(md.body).not.toHaveProperty('expiresAt');
    expect(await storedText(md.body.id)).toBe('# Returns\n\nItems may be returned within **30 days**.');
    expect(await fs.readFile(blobPath(md.body.id), 'utf8')).toBe(markdown);

    const pdfBytes = await makePdf(['Warranty: two years on every device.', 'Batteries are covered for one year.']);
    const pdf = await upload('warranty.pdf', pdfBytes, { name: 'Warranty terms' });
    expect(pdf.status).toBe(200);
    expect(pdf.body).toMatchObject({ name: 'Warranty terms', mimeType: 'application/pdf', size: pdfBytes.length, status: 'uploaded' });
    expect(await storedText(pdf.body.id)).toContain('Warranty: two years on every device.');
    expect(await storedText(pdf.body.id)).toContain('Batteries are covered for one year.');
    expect((await fs.readFile(blobPath(pdf.body.id))).equals(pdfBytes)).toBe(true);

    const docx = await upload('shipping.docx', await makeDocx(['Shipping', 'Orders ship within two business days.']));
    expect(docx.status).toBe(200);
    expect(docx.body).toMatchObject({ name: 'shipping.docx', mimeType: DOCX_TYPE, status: 'uploaded' });
    expect(await storedText(docx.body.id)).toBe('Shipping\n\nOrders ship within two business days.');
  });

  it('refuses unsupported types with 415 and unreadable or empty documents with 422, keeping nothing', async () => {
    const before = await fileCount();
    const blobsBefore = await fs.readdir(path.join(server.config.blobDir, 'agent-files', server.orgId)).catch(() => []);

    const png = await upload('logo.png', PNG, { claimedType: 'text/plain' });
    expect(png.status).toBe(415);
    expect(png.body.error.code).toBe('unsupported_file_type');
    expect(png.body.error.message).toContain('image/png');
    expect(png.body.error.message).toContain('application/pdf');
    expect(png.body.error.details).toMatchObject({ detectedType: 'image/png', acceptedTypes: expect.arrayContaining(['text/markdown', 'text/csv', DOCX_TYPE]) });
    const zip = await upload('archive.zip', ZIP);
    expect(zip.status).toBe(415);
    expect(zip.body.error.message).toContain('application/zip');

    const pdf = await makePdf(['This PDF is cut in half.']);
    const truncated = await upload('broken.pdf', pdf.subarray(0, Math.floor(pdf.length / 2)));
    expect(truncated.status).toBe(422);
    expect(truncated.body.error.code).toBe('unreadable_file');
    expect(truncated.body.error.message).toMatch(/PDF file could not be read/);
    const blank = await upload('blank.md', '   \n\n  \n');
    expect(blank.status).toBe(422);
    expect(blank.body.error.code).toBe('no_text');
    const tooLarge = await upload('big.txt', 'x'.repeat(MAX_BYTES + 1));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('file_too_large');

    expect(await fileCount()).toBe(before);
    const blobsAfter = await fs.readdir(path.join(server.config.blobDir, 'agent-files', server.orgId)).catch(() => []);
    expect(blobsAfter.sort()).toEqual(blobsBefore.sort());
  });

  it('lists the key’s agent’s files, newest first, by page with totals', async () => {
    const listing = await createAgent('Listing');
    const key = await issueAgentKey(server.orgId, listing);
    const uploaded: string[] = [];
    for (const name of ['one.txt', 'two.csv', 'three.md']) uploaded.push((await upload(name, `${name} contents\n`, { key })).body.id);
    await upload('elsewhere.txt', 'belongs to the other agent');

    const first = await list('?page=1&pageSize=2', key);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ currentPage: 1, pageSize: 2, totalItems: 3, totalPages: 2, hasNextPage: true, hasPreviousPage: false });
    expect(first.body.items.map((file) => file.name)).toEqual(['three.md', 'two.csv']);
    expect(first.body.items[1]?.mimeType).toBe('text/csv');
    const second = await list('?page=2&pageSize=2', key);
    expect(second.body).toMatchObject({ currentPage: 2, totalItems: 3, hasNextPage: false, hasPreviousPage: true });
    expect(second.body.items.map((file) => file.id)).toEqual([uploaded[0]]);
    const defaults = await list('', key);
    expect(defaults.body).toMatchObject({ currentPage: 1, pageSize: 20, totalItems: 3 });
    expect((await list('?pageSize=0', key)).status).toBe(400);
  });

  it('adds a file to the assistant: one document in the agent’s collection, attached to the agent, however often it is called', async () => {
    const existing = await http.post<{ collectionId: string }>('/api/v1/collections', { key: server.adminKey, body: { collectionName: 'Manuals' } });
    const knowing = await createAgent('Knowledge desk', { dataSourceCollections: [{ id: existing.body.collectionId, maxChunks: 5 }] });
    const key = await issueAgentKey(server.orgId, knowing);
    const file = await upload('policy.md', '# Refunds\n\nRefunds take five business days.', { key });

    const added = await addToAssistant(file.body.id, key);
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ id: file.body.id, status: 'added_to_assistant', addedToAssistant: true });
    const { collectionId, documentId } = added.body;
    expect(collectionId).toEqual(expect.any(String));
    expect(documentId).toEqual(expect.any(String));

    const collection = await http.get<{ name: string }>(`/api/v1/collections/${collectionId}`, { key: server.adminKey });
    expect(collection.body.name).toBe('Knowledge desk files');
    const documents = await documentsOf(collectionId ?? '');
    expect(documents.status).toBe(200);
    expect(documents.body).toEqual([expect.objectContaining({ id: documentId, name: `policy.md (${file.body.id})`, reference: file.body.id })]);
    const document = await http.get<DocumentView>(`/api/v1/collections/${collectionId}/documents/${documentId}`, { key: server.adminKey });
    expect(document.body.contents).toBe('# Refunds\n\nRefunds take five business days.');
    expect(document.body.metadata).toEqual({ agentFileId: file.body.id, fileName: 'policy.md', mimeType: 'text/markdown' });
    const agent = await agentView(knowing);
    expect(agent.body.dataSourceCollections).toEqual([
      { id: existing.body.collectionId, maxChunks: 5 },
      { id: collectionId },
    ]);

    const again = await addToAssistant(file.body.id, key);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ collectionId, documentId, addedToAssistant: true });
    expect((await documentsOf(collectionId ?? '')).body).toHaveLength(1);
    expect((await agentView(knowing)).body.dataSourceCollections).toHaveLength(2);

    // A second file goes to the same collection, as a document of its own.
    const second = await upload('hours.txt', 'Open 9 to 5.', { key });
    const secondAdded = await addToAssistant(second.body.id, key);
    expect(secondAdded.body.collectionId).toBe(collectionId);
    expect(secondAdded.body.documentId).not.toBe(documentId);
    expect((await documentsOf(collectionId ?? '')).body).toHaveLength(2);
    const listed = await list('', key);
    expect(listed.body.items.map((item) => [item.name, item.addedToAssistant])).toEqual([
      ['hours.txt', true],
      ['policy.md', true],
    ]);
  });

  it('deletes a file with its blob and its document, and audits creation and deletion', async () => {
    const file = await upload('faq.md', '# FAQ\n\nWe ship worldwide.');
    const added = await addToAssistant(file.body.id);
    const collectionId = added.body.collectionId ?? '';
    expect((await documentsOf(collectionId)).body.map((document) => document.reference)).toContain(file.body.id);

    const deleted = await remove(file.body.id);
    expect(deleted.status).toBe(204);
    expect((await documentsOf(collectionId)).body.map((document) => document.reference)).not.toContain(file.body.id);
    expect((await http.get(`/api/v1/collections/${collectionId}/documents/${added.body.documentId}`, { key: server.adminKey })).status).toBe(404);
    await expect(fs.access(blobPath(file.body.id))).rejects.toThrow();
    expect((await list('?pageSize=200')).body.items.map((item) => item.id)).not.toContain(file.body.id);
    expect((await remove(file.body.id)).status).toBe(404);
    expect((await addToAssistant(file.body.id)).status).toBe(404);

    const events = await http.get<{ items: Array<{ changeType: string }> }>(`/api/v1/AuditLog?entityType=AgentFile&entityId=${file.body.id}`, {
      headers: { 'x-api-key': server.adminKey, 'x-org-id': server.orgId },
    });
    expect(events.body.items.map((event) => event.changeType).sort()).toEqual(['Created', 'Deleted', 'Updated']);
  });

  it('keeps agents and organizations apart: 404 for another agent’s file, 403 for an organization-wide key, 401 without a key', async () => {
    const file = await upload('private.md', '# Internal pricing');
    const otherAgent = await createAgent('Other desk');
    const otherKey = await issueAgentKey(server.orgId, otherAgent);
    expect((await addToAssistant(file.body.id, otherKey)).status).toBe(404);
    expect((await remove(file.body.id, otherKey)).status).toBe(404);
    expect((await list('', otherKey)).body.items.map((item) => item.id)).not.toContain(file.body.id);

    const otherOrg = await server.server.container.organizations.create({ name: 'Other agent files org' });
    const foreignAgent = await createAgent('Foreign desk', {}, otherOrg.apiKey.secret);
    const foreignKey = await issueAgentKey(otherOrg.organization.id, foreignAgent);
    expect((await addToAssistant(file.body.id, foreignKey)).status).toBe(404);
    expect((await remove(file.body.id, foreignKey)).status).toBe(404);
    expect((await list('', foreignKey)).body.totalItems).toBe(0);

    const organizationWide = await list('', server.adminKey);
    expect(organizationWide.status).toBe(403);
    expect(organizationWide.body.error.code).toBe('agent_key_required');
    const anonymousUpload = await upload('a.txt', 'text', { key: null });
    expect(anonymousUpload.status).toBe(401);
    expect((await http.get('/external/agent-files/by-api-key')).status).toBe(401);
    expect((await http.put(`/external/agent-files/${file.body.id}/add-to-assistant`)).status).toBe(401);
    expect((await http.delete(`/external/agent-files/${file.body.id}`)).status).toBe(401);

    // Still there, untouched, for its own agent.
    expect((await addToAssistant(file.body.id)).status).toBe(200);
  });

  it('documents the four routes in OpenAPI under the Agent-key API', async () => {
    type Operation = { tags?: string[]; summary?: string; security?: unknown[]; requestBody?: { content: Record<string, unknown> }; responses: Record<string, unknown> };
    const document = await http.get<{ paths: Record<string, Record<string, Operation>> }>('/openapi.json');
    const operations = [
      document.body.paths['/external/agent-files/upload']?.post,
      document.body.paths['/external/agent-files/by-api-key']?.get,
      document.body.paths['/external/agent-files/{id}/add-to-assistant']?.put,
      document.body.paths['/external/agent-files/{id}']?.delete,
    ];
    for (const operation of operations) {
      expect(operation?.tags).toEqual(['Agent-key API: Agent files']);
      expect(operation?.summary).toBeTruthy();
      expect(operation?.security?.length).toBeGreaterThan(0);
    }
    expect(Object.keys(operations[0]?.requestBody?.content ?? {})).toEqual(['multipart/form-data']);
    expect(Object.keys(operations[0]?.responses ?? {})).toEqual(expect.arrayContaining(['200', '413', '415', '422']));
    expect(Object.keys(operations[3]?.responses ?? {})).toContain('204');
  });
});
