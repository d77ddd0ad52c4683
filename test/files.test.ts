import fs from 'node:fs/promises';
import path from 'node:path';
import { Document, Packer, Paragraph, TextRun } from 'docx';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorActor } from '../src/platform/actor.js';
import { ValidationError } from '../src/platform/errors.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface FileView {
  id: string;
  fileName: string;
  mimeType: string;
  size: number;
  createdAt: string;
  expiresAt: string;
}
type ErrorBody = { error: { code: string; message: string; details?: Array<{ field: string; rule: string }> } };

/** Low, so the limit is reached with a small body; the documents below are a few kilobytes. */
const MAX_BYTES = 256 * 1024;
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
/** A 1×1 PNG. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5b1c6e60000000049454e44ae426082',
  'hex',
);

async function makePdf(lines: string[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const line of lines) pdf.addPage().drawText(line, { x: 50, y: 700, font, size: 14 });
  return Buffer.from(await pdf.save());
}

async function makeDocx(paragraphs: string[]): Promise<Buffer> {
  const document = new Document({ sections: [{ children: paragraphs.map((text) => new Paragraph({ children: [new TextRun(text)] })) }] });
  return Packer.toBuffer(document);
}

describe.each(dialects)('files (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;
  let other: { id: string; key: string };

  beforeAll(async () => {
    // The JSON body limit is set far below the file limit: uploads must not be capped by it.
    server = await startTestServer(dialect, { AGENTRY_FILE_MAX_BYTES: String(MAX_BYTES), AGENTRY_BODY_LIMIT_BYTES: '4096' });
    http = httpClient(server.url);
    const created = await server.server.container.organizations.create({ name: 'Other files org' });
    other = { id: created.organization.id, key: created.apiKey.secret };
  });
  afterAll(async () => {
    await server?.close();
  });

  function organizationHeaders(key = server.adminKey, orgId = server.orgId): Record<string, string> {
    return { 'x-api-key': key, 'x-org-id': orgId };
  }

  /** Uploads as a browser or SDK would: multipart FormData, with whatever type the client claims. */
  async function upload(fileName: string, content: Buffer | string, options: { claimedType?: string; headers?: Record<string, string> } = {}) {
    const form = new FormData();
    form.append('file', new Blob([content], { type: options.claimedType ?? 'application/octet-stream' }), fileName);
    const response = await fetch(`${server.url}/api/v1/File`, { method: 'POST', headers: options.headers ?? organizationHeaders(), body: form });
    return { status: response.status, headers: response.headers, body: (await response.json()) as FileView & ErrorBody };
  }

  async function download(id: string, headers: Record<string, string> = {}, method = 'GET') {
    const response = await fetch(`${server.url}/api/v1/File/${id}`, { method, headers: { ...organizationHeaders(), ...headers } });
    return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
  }

  /** Runs due jobs through the server's own worker (AGENTRY_WORKERS is off in tests) until none is left. */
  async function runJobs(): Promise<void> {
    const { jobWorker } = server.server.container;
    while ((await jobWorker.pollOnce()) > 0) await jobWorker.idle();
  }

  async function fileRow(id: string) {
    return server.server.container.database.handle.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
  }

  function blobPath(orgId: string, id: string): string {
    return path.join(server.config.blobDir, 'files', orgId, id);
  }

  it('uploads a PDF, extracts its text in a job, and hands it to a turn through contextFor', async () => {
    const pdf = await makePdf(['Risk register: the supplier may deliver late.', 'Mitigation: keep two weeks of stock.']);
    const uploaded = await upload('risks.pdf', pdf, { claimedType: 'application/pdf' });
    expect(uploaded.status).toBe(200);
    expect(uploaded.body).toMatchObject({ fileName: 'risks.pdf', mimeType: 'application/pdf', size: pdf.length });
    const ttlMs = Date.parse(uploaded.body.expiresAt) - Date.parse(uploaded.body.createdAt);
    expect(ttlMs).toBe(24 * 3_600_000);
    expect((await fileRow(uploaded.body.id))?.text_status).toBe('pending');

    const job = await server.server.container.database.handle
      .selectFrom('jobs')
      .selectAll()
      .where('name', '=', 'files.extract-text')
      .where('idempotency_key', '=', uploaded.body.id)
      .executeTakeFirstOrThrow();
    await runJobs();
    expect(await server.server.container.jobQueue.find(job.id)).toMatchObject({ status: 'succeeded' });
    const row = await fileRow(uploaded.body.id);
    expect(row?.text_status).toBe('extracted');
    expect(row?.extracted_text).toContain('supplier may deliver late');

    const [context] = await server.server.container.files.contextFor(server.orgId, [uploaded.body.id]);
    expect(context).toMatchObject({ id: uploaded.body.id, fileName: 'risks.pdf', mimeType: 'application/pdf', kind: 'text' });
    expect(context?.kind === 'text' && context.text).toContain('Risk register: the supplier may deliver late.');
    expect(context?.kind === 'text' && context.text).toContain('Mitigation: keep two weeks of stock.');
  });

  it('extracts a DOCX on first use when its job has not run yet, and caches the text', async () => {
    const docx = await makeDocx(['Statement of work', 'The vendor delivers the API by March.']);
    const uploaded = await upload('sow.docx', docx);
    expect(uploaded.status).toBe(200);
    expect(uploaded.body.mimeType).toBe(DOCX_TYPE);

    const [context] = await server.server.container.files.contextFor(server.orgId, [uploaded.body.id]);
    expect(context).toEqual({
      id: uploaded.body.id,
      fileName: 'sow.docx',
      mimeType: DOCX_TYPE,
      kind: 'text',
      text: 'Statement of work\n\nThe vendor delivers the API by March.',
    });
    const row = await fileRow(uploaded.body.id);
    expect(row).toMatchObject({ text_status: 'extracted', extracted_text: 'Statement of work\n\nThe vendor delivers the API by March.' });
    const extractedAt = row?.extracted_at;
    // The queued job finds the text cached and leaves it alone.
    await runJobs();
    expect((await fileRow(uploaded.body.id))?.extracted_at).toBe(extractedAt);
  });

  it('detects the type from the content and ignores a lying client', async () => {
    const image = await upload('notes.txt', PNG, { claimedType: 'text/plain' });
    expect(image.body.mimeType).toBe('image/png');
    const csv = await upload('table.csv', 'name,qty\napples,3\n', { claimedType: 'application/pdf' });
    expect(csv.body.mimeType).toBe('text/csv');
    const html = await upload('page', '<!doctype html><html><body><h1>Hi</h1><p>there</p></body></html>', { claimedType: 'image/png' });
    expect(html.body.mimeType).toBe('text/html');
    const binary = await upload('fake.pdf', Buffer.from([0x00, 0x9f, 0x92, 0x96, 0x00, 0x01]), { claimedType: 'application/pdf' });
    expect(binary.body.mimeType).toBe('application/octet-stream');

    const context = await server.server.container.files.contextFor(server.orgId, [image.body.id, csv.body.id, html.body.id, binary.body.id]);
    expect(context[0]).toEqual({ id: image.body.id, fileName: 'notes.txt', mimeType: 'image/png', kind: 'image', dataUrl: `data:image/png;base64,${PNG.toString('base64')}` });
    expect(context[1]).toMatchObject({ kind: 'text', text: 'name,qty\napples,3' });
    expect(context[2]).toMatchObject({ kind: 'text', text: 'Hi\n\nthere' });
    expect(context[3]).toMatchObject({ kind: 'text' });
    expect(context[3]?.kind === 'text' && context[3].text).toContain('not a text document');
  });

  it('downloads a file whole and by byte range, with the headers clients rely on', async () => {
    const content = Buffer.from('0123456789abcdefghij');
    const uploaded = await upload('Übersicht; Q3 (final).txt', content);
    const whole = await download(uploaded.body.id);
    expect(whole.status).toBe(200);
    expect(whole.bytes.equals(content)).toBe(true);
    expect(whole.headers.get('content-type')).toBe('text/plain');
    expect(whole.headers.get('content-length')).toBe('20');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('x-content-type-options')).toBe('nosniff');
    expect(whole.headers.get('content-disposition')).toBe(
      `attachment; filename="_bersicht; Q3 (final).txt"; filename*=UTF-8''%C3%9Cbersicht%3B%20Q3%20%28final%29.txt`,
    );
    const etag = whole.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);

    const first = await download(uploaded.body.id, { range: 'bytes=0-9' });
    expect(first.status).toBe(206);
    expect(first.bytes.toString()).toBe('0123456789');
    expect(first.headers.get('content-range')).toBe('bytes 0-9/20');
    expect(first.headers.get('content-length')).toBe('10');
    const suffix = await download(uploaded.body.id, { range: 'bytes=-5' });
    expect(suffix.status).toBe(206);
    expect(suffix.bytes.toString()).toBe('fghij');
    expect(suffix.headers.get('content-range')).toBe('bytes 15-19/20');

    const outside = await download(uploaded.body.id, { range: 'bytes=20-' });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe('bytes */20');
    expect(JSON.parse(outside.bytes.toString()).error.code).toBe('range_not_satisfiable');

    const staleRange = await download(uploaded.body.id, { range: 'bytes=0-3', 'if-range': '"an-older-version"' });
    expect(staleRange.status).toBe(200);
    expect(staleRange.bytes.length).toBe(20);
    const notModified = await download(uploaded.body.id, { 'if-none-match': etag ?? '' });
    expect(notModified.status).toBe(304);
    const head = await download(uploaded.body.id, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('20');
    expect(head.bytes.length).toBe(0);
  });

  it('refuses a file over the limit with 413, streamed or declared, and keeps nothing of it', async () => {
    const before = await server.server.container.database.handle.selectFrom('files').select('id').execute();
    const tooLarge = await upload('big.bin', Buffer.alloc(MAX_BYTES + 1, 7));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('file_too_large');
    expect(tooLarge.body.error.message).toContain(`${MAX_BYTES} bytes`);
    // Declared far over the limit: refused from Content-Length, before the body is read.
    const declared = await upload('huge.bin', Buffer.alloc(MAX_BYTES * 8, 7));
    expect(declared.status).toBe(413);
    expect(declared.body.error.code).toBe('file_too_large');

    // Without Content-Length the limit is enforced while the body streams in.
    const boundary = 'agentry-test-boundary';
    const chunks = [
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="stream.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      ...Array.from({ length: 40 }, () => Buffer.alloc(16 * 1024, 1)),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ];
    const streamed = await fetch(`${server.url}/api/v1/File`, {
      method: 'POST',
      headers: { ...organizationHeaders(), 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: new ReadableStream({
        pull(controller) {
          const chunk = chunks.shift();
          if (chunk) controller.enqueue(chunk);
          else controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as ErrorBody).error.code).toBe('file_too_large');

    const exactly = await upload('limit.bin', Buffer.alloc(MAX_BYTES, 7));
    expect(exactly.status).toBe(200);
    const after = await server.server.container.database.handle.selectFrom('files').select('id').execute();
    expect(after.map((row) => row.id).sort()).toEqual([...before.map((row) => row.id), exactly.body.id].sort());
    const stored = await fs.readdir(path.join(server.config.blobDir, 'files', server.orgId));
    expect(stored.sort()).toEqual(after.map((row) => row.id).sort());
  });

  it('rejects uploads that are not a multipart file field', async () => {
    const json = await http.post<ErrorBody>('/api/v1/File', { headers: organizationHeaders(), body: { file: 'x' } });
    expect(json.status).toBe(415);
    const form = new FormData();
    form.append('document', new Blob(['text']), 'a.txt');
    const wrongField = await fetch(`${server.url}/api/v1/File`, { method: 'POST', headers: organizationHeaders(), body: form });
    expect(wrongField.status).toBe(400);
    expect(((await wrongField.json()) as ErrorBody).error.details?.[0]).toMatchObject({ field: 'body.file', rule: 'required' });
    const noBoundary = await fetch(`${server.url}/api/v1/File`, {
      method: 'POST',
      headers: { ...organizationHeaders(), 'content-type': 'multipart/form-data' },
      body: 'not multipart at all',
    });
    expect(noBoundary.status).toBe(400);
    expect(((await noBoundary.json()) as ErrorBody).error.code).toBe('malformed_upload');
    const cutShort = await fetch(`${server.url}/api/v1/File`, {
      method: 'POST',
      headers: { ...organizationHeaders(), 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhalf a fi',
    });
    expect(cutShort.status).toBe(400);
    expect(((await cutShort.json()) as ErrorBody).error.code).toBe('malformed_upload');
    const empty = await upload('empty.txt', '');
    expect(empty.status).toBe(400);
    expect(empty.body.error.details?.[0]).toMatchObject({ field: 'body.file', rule: 'empty' });
    const anonymous = await upload('a.txt', 'text', { headers: {} });
    expect(anonymous.status).toBe(401);
  });

  it("keeps organizations apart: another organization's file id is a 404 and unknown to contextFor", async () => {
    const uploaded = await upload('private.md', '# Board minutes');
    expect((await download(uploaded.body.id, organizationHeaders(other.key, other.id))).status).toBe(404);
    const foreignDelete = await fetch(`${server.url}/api/v1/File/${uploaded.body.id}`, { method: 'DELETE', headers: organizationHeaders(other.key, other.id) });
    expect(foreignDelete.status).toBe(404);
    const missing = await download('01a20000-0000-7000-8000-000000000404');
    expect(missing.status).toBe(404);
    expect((await download('x'.repeat(65))).status).toBe(400);

    const attempt = server.server.container.files.contextFor(other.id, [uploaded.body.id, 'not-a-file']);
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ problems: [{ field: 'fileIds', rule: 'not_found' }] });
    await expect(attempt).rejects.toThrow(`${uploaded.body.id}, not-a-file`);
    expect((await download(uploaded.body.id)).status).toBe(200);
  });

  it('lets an agent-scoped key upload and download: files belong to the organization', async () => {
    const { database, apiKeys } = server.server.container;
    const agentKey = await database.handle
      .transaction()
      .execute((transaction) =>
        apiKeys.issue(transaction, operatorActor(server.orgId, 'files-test'), { label: 'agent', agentId: '01a20000-0000-7000-8000-00000000f11e' }),
      );
    const uploaded = await upload('agent.txt', 'from the agent', { headers: { 'agent-secret-key': agentKey.secret } });
    expect(uploaded.status).toBe(200);
    const fetched = await fetch(`${server.url}/api/v1/File/${uploaded.body.id}`, { headers: { 'agent-secret-key': agentKey.secret } });
    expect(await fetched.text()).toBe('from the agent');
  });

  it('records creations and deletions in the audit log, and deletes on request', async () => {
    const uploaded = await upload('audit.txt', 'audited');
    const deleted = await fetch(`${server.url}/api/v1/File/${uploaded.body.id}`, { method: 'DELETE', headers: organizationHeaders() });
    expect(deleted.status).toBe(200);
    expect((await download(uploaded.body.id)).status).toBe(404);
    await expect(fs.access(blobPath(server.orgId, uploaded.body.id))).rejects.toThrow();
    const events = await http.get<{ items: Array<{ changeType: string; entityType: string }> }>(
      `/api/v1/AuditLog?entityType=File&entityId=${uploaded.body.id}`,
      { headers: organizationHeaders() },
    );
    expect(events.body.items.map((event) => event.changeType).sort()).toEqual(['Created', 'Deleted']);
  });

  it('hides expired files at once and purges them (row and blob) in a job', async () => {
    const expiring = await upload('expiring.txt', 'short-lived');
    const keeping = await upload('keeping.txt', 'long-lived');
    expect(await fs.stat(blobPath(server.orgId, expiring.body.id))).toBeTruthy();
    const { database, files } = server.server.container;
    await database.handle
      .updateTable('files')
      .set({ expires_at: new Date(Date.now() - 60_000).toISOString() })
      .where('id', '=', expiring.body.id)
      .execute();

    expect((await download(expiring.body.id)).status).toBe(404);
    await expect(files.contextFor(server.orgId, [expiring.body.id])).rejects.toThrow(expiring.body.id);

    const purgeRun = await server.server.container.jobQueue.enqueue(files.jobs.purgeExpired, {});
    await runJobs();
    expect(await server.server.container.jobQueue.find(purgeRun.id)).toMatchObject({ status: 'succeeded' });
    expect(await fileRow(expiring.body.id)).toBeUndefined();
    await expect(fs.access(blobPath(server.orgId, expiring.body.id))).rejects.toThrow();
    expect(await fileRow(keeping.body.id)).toBeDefined();
    expect((await download(keeping.body.id)).status).toBe(200);

    const events = await http.get<{ items: Array<{ changeType: string; userName: string | null }> }>(
      `/api/v1/AuditLog?entityType=File&entityId=${expiring.body.id}&changeType=Deleted`,
      { headers: organizationHeaders() },
    );
    expect(events.body.items).toEqual([expect.objectContaining({ changeType: 'Deleted', userName: 'system (file expiry)' })]);
  });

  it('documents the routes, the multipart body and the binary download in OpenAPI', async () => {
    const document = await http.get<{ paths: Record<string, Record<string, { security?: unknown[]; requestBody?: { content: Record<string, unknown> }; responses: Record<string, { content?: Record<string, unknown> }> }>> }>(
      '/openapi.json',
    );
    const uploadOperation = document.body.paths['/api/v1/File']?.post;
    expect(uploadOperation?.security?.length).toBeGreaterThan(0);
    expect(Object.keys(uploadOperation?.requestBody?.content ?? {})).toEqual(['multipart/form-data']);
    expect(Object.keys(uploadOperation?.responses ?? {})).toEqual(expect.arrayContaining(['200', '413']));
    const downloadOperation = document.body.paths['/api/v1/File/{id}']?.get;
    expect(Object.keys(downloadOperation?.responses['206']?.content ?? {})).toEqual(['application/octet-stream']);
  });
});
