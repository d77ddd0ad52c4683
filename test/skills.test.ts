import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorActor } from '../src/platform/actor.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface SkillSummary {
  id: string;
  createdAt: string;
  slug: string;
  description: string | null;
  allowedToolsCount: number;
}
interface InstructionSource {
  name: string;
  description: string | null;
  url: string;
  headers: Record<string, string>;
  cacheDuration?: number;
}
interface SkillView extends SkillSummary {
  updatedAt: string;
  instructions: string;
  options: { instructionSources: InstructionSource[]; allowedToolsNames: string[] };
}
interface ImportResult {
  enqueued: number;
  imported: number;
  skipped: number;
  skippedSlugs: string[];
}
interface LineProblem {
  line: number;
  field: string;
  rule: string;
  message: string;
}
type ErrorBody = {
  error: { code: string; message: string; details?: Array<{ field: string; rule: string }> & { invalidLineCount?: number; lines?: LineProblem[] } };
};
interface AuditDetail {
  changeType: string;
  changedProperties: Array<{ propertyName: string; oldValue: unknown; newValue: unknown }>;
}

const SOURCE_SECRET = 'Bearer source-secret-5151';

const summarizer = {
  slug: 'summarizer',
  description: 'Summarizes text',
  instructions: 'You are a summarizer. Summarize the input concisely.',
  options: {
    instructionSources: [
      { name: 'style', description: 'House style', url: 'https://docs.example.com/style.md', headers: { Authorization: SOURCE_SECRET }, cacheDuration: 600 },
    ],
    allowedToolsNames: ['web-search', 'fetch-page', 'web-search'],
  },
};

function jsonl(...lines: unknown[]): string {
  return lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n');
}

describe.each(dialects)('skills (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;
  let other: { id: string; key: string };

  beforeAll(async () => {
    server = await startTestServer(dialect);
    http = httpClient(server.url);
    const created = await server.server.container.organizations.create({ name: 'Other skills org' });
    other = { id: created.organization.id, key: created.apiKey.secret };
  });
  afterAll(async () => {
    await server?.close();
  });

  const create = (body: unknown, key = server.adminKey) => http.post<SkillView & ErrorBody>('/api/v1/skills', { key, body });
  const view = (id: string, key = server.adminKey) => http.get<SkillView & ErrorBody>(`/api/v1/skills/${id}`, { key });
  const list = async (key = server.adminKey) => (await http.get<SkillSummary[]>('/api/v1/skills', { key })).body;
  const clear = (key = server.adminKey) => http.delete<{ message: string; removedCount: number } & ErrorBody>('/api/v1/skills/management/clear', { key });

  async function importFile(content: string, options: { key?: string; field?: string } = {}) {
    const form = new FormData();
    form.append(options.field ?? 'skills', new Blob([content], { type: 'application/jsonl' }), 'skills.jsonl');
    const response = await fetch(`${server.url}/api/v1/skills/management/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.key ?? server.adminKey}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as ImportResult & ErrorBody };
  }

  async function exportFile(key = server.adminKey) {
    // ?api-key= as a download link would send it.
    const response = await fetch(`${server.url}/api/v1/skills/management/export.jsonl?api-key=${key}`);
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  async function auditOf(id: string, changeType: string): Promise<AuditDetail> {
    const events = await http.get<{ items: Array<{ id: string; changeType: string }> }>(`/api/v1/AuditLog?entityType=Skill&entityId=${id}`, {
      key: server.adminKey,
    });
    const event = events.body.items.find((item) => item.changeType === changeType);
    expect(event, `${changeType} event`).toBeDefined();
    return (await http.get<AuditDetail>(`/api/v1/AuditLog/${event?.id}`, { key: server.adminKey })).body;
  }

  it('creates, lists, views, updates and deletes a skill, auditing each change without header values', async () => {
    const created = await create(summarizer);
    expect(created.status).toBe(200);
    const id = created.body.id;
    expect(created.body).toMatchObject({
      slug: 'summarizer',
      description: 'Summarizes text',
      instructions: summarizer.instructions,
      options: { instructionSources: summarizer.options.instructionSources, allowedToolsNames: ['web-search', 'fetch-page'] },
      allowedToolsCount: 2,
    });
    expect((await view(id)).body).toEqual(created.body);
    expect(await list()).toEqual([{ id, createdAt: created.body.createdAt, slug: 'summarizer', description: 'Summarizes text', allowedToolsCount: 2 }]);

    // A merge: fields left out keep their values; each options list sent replaces that list.
    const merged = await http.put<SkillView>(`/api/v1/skills/${id}`, {
      key: server.adminKey,
      body: { slug: 'short-summarizer', instructions: 'Summarize in one sentence.', options: { allowedToolsNames: ['fetch-page'] } },
    });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({
      id,
      slug: 'short-summarizer',
      description: 'Summarizes text',
      instructions: 'Summarize in one sentence.',
      options: { instructionSources: summarizer.options.instructionSources, allowedToolsNames: ['fetch-page'] },
      allowedToolsCount: 1,
      createdAt: created.body.createdAt,
    });
    expect((await view(id)).body).toEqual(merged.body);
    const updatedEvent = await auditOf(id, 'Updated');
    expect(updatedEvent.changedProperties).toContainEqual({ propertyName: 'slug', oldValue: 'summarizer', newValue: 'short-summarizer' });
    expect(updatedEvent.changedProperties.map((change) => change.propertyName).sort()).toEqual(['instructions', 'options.allowedToolsNames', 'slug']);

    // A GET body goes back as is; null clears the description, empty lists clear the options.
    const cleared = await http.put<SkillView>(`/api/v1/skills/${id}`, {
      key: server.adminKey,
      body: { ...merged.body, description: null, options: { instructionSources: [], allowedToolsNames: [] } },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ description: null, options: { instructionSources: [], allowedToolsNames: [] }, allowedToolsCount: 0 });

    const createdEvent = await auditOf(id, 'Created');
    expect(createdEvent.changedProperties).toContainEqual({ propertyName: 'slug', oldValue: null, newValue: 'summarizer' });
    expect(JSON.stringify([createdEvent, updatedEvent])).not.toContain(SOURCE_SECRET);

    const deleted = await http.delete<{ message: string }>(`/api/v1/skills/${id}`, { key: server.adminKey });
    expect(deleted.status).toBe(200);
    expect((await view(id)).status).toBe(404);
    expect(await list()).toEqual([]);
    expect((await auditOf(id, 'Deleted')).changedProperties).toContainEqual({ propertyName: 'slug', oldValue: 'short-summarizer', newValue: null });
  });

  it('answers 409 when a slug is taken, on create and on update', async () => {
    const first = await create({ slug: 'taken', instructions: 'one' });
    const second = await create({ slug: 'free', instructions: 'two' });
    expect([first.status, second.status]).toEqual([200, 200]);
    const duplicate = await create({ slug: 'taken', instructions: 'three' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('skill_slug_taken');
    const renamed = await http.put<ErrorBody>(`/api/v1/skills/${second.body.id}`, { key: server.adminKey, body: { slug: 'taken' } });
    expect(renamed.status).toBe(409);
    // The same slug in another organization is no conflict.
    expect((await create({ slug: 'taken', instructions: 'theirs' }, other.key)).status).toBe(200);
    await clear();
    await clear(other.key);
  });

  it('rejects invalid skills with 400 naming the field', async () => {
    const cases: Array<[unknown, string, string?]> = [
      [{ slug: 'Has Spaces', instructions: 'x' }, 'body.slug'],
      [{ slug: '-leading', instructions: 'x' }, 'body.slug'],
      [{ slug: 'ok' }, 'body.instructions', 'required'],
      [{ slug: 'ok', instructions: '   ' }, 'body.instructions'],
      [{ slug: 'ok', instructions: 'x', options: { instructionSources: [{ name: 's', url: 'ftp://example.com/a' }] } }, 'body.options.instructionSources.0.url'],
      [{ slug: 'ok', instructions: 'x', options: { instructionSources: [{ url: 'https://example.com/a' }] } }, 'body.options.instructionSources.0.name', 'required'],
      [{ slug: 'ok', instructions: 'x', options: { allowedToolsNames: [''] } }, 'body.options.allowedToolsNames.0'],
      [{ slug: 'ok', instructions: 'x', options: { allowedToolNames: ['typo'] } }, 'body.options'],
    ];
    for (const [body, field, rule] of cases) {
      const response = await create(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.message).toContain(field);
      if (rule) expect(response.body.error.details).toContainEqual(expect.objectContaining({ field, rule }));
    }
    expect(await list()).toEqual([]);

    const skill = await create({ slug: 'valid', instructions: 'x' });
    for (const [body, field] of [
      [{ slug: 'UPPER' }, 'body.slug'],
      [{ instructions: '' }, 'body.instructions'],
      [{ name: 'not a field' }, 'body'],
    ] as const) {
      const response = await http.put<ErrorBody>(`/api/v1/skills/${skill.body.id}`, { key: server.adminKey, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.message).toContain(field);
    }
    await clear();
  });

  it('imports a JSONL file, ignoring blank lines and CRLF, and skips slugs the organization already has', async () => {
    expect((await create({ slug: 'translator', instructions: 'Already here.' })).status).toBe(200);
    const file = `\uFEFF${jsonl(
      summarizer,
      '',
      { slug: 'translator', description: 'Translates text', instructions: 'Translate the input.' },
      { slug: 'researcher', instructions: 'Research the topic.', options: { allowedToolsNames: ['web-search'] } },
    ).replaceAll('\n', '\r\n')}\r\n`;
    const imported = await importFile(file);
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual({ enqueued: 2, imported: 2, skipped: 1, skippedSlugs: ['translator'] });

    const skills = await list();
    expect(skills.map((skill) => `${skill.slug}:${skill.allowedToolsCount}`).sort()).toEqual(['researcher:1', 'summarizer:2', 'translator:0']);
    const translator = skills.find((skill) => skill.slug === 'translator');
    expect((await view(translator?.id ?? '')).body.instructions).toBe('Already here.');
    const researcher = skills.find((skill) => skill.slug === 'researcher');
    expect((await auditOf(researcher?.id ?? '', 'Created')).changedProperties).toContainEqual({
      propertyName: 'instructions',
      oldValue: null,
      newValue: 'Research the topic.',
    });
  });

  it('rejects an import with bad lines, naming each line, and writes nothing', async () => {
    const before = await list();
    const file = jsonl(
      { slug: 'fine-one', instructions: 'ok' },
      '{"slug": "broken",',
      { slug: 'Bad Slug', instructions: 'x' },
      '',
      { slug: 'no-instructions' },
      '[1, 2]',
      { slug: 'fine-one', instructions: 'again' },
      { slug: 'fine-two', instructions: 'ok', extra: true },
    );
    const response = await importFile(file);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('skills_import_invalid');
    expect(response.body.error.message).toContain('line 2');
    expect(response.body.error.details?.invalidLineCount).toBe(6);
    expect(response.body.error.details?.lines).toEqual([
      { line: 2, field: '', rule: 'json', message: 'is not valid JSON' },
      expect.objectContaining({ line: 3, field: 'slug' }),
      { line: 5, field: 'instructions', rule: 'required', message: 'is required' },
      { line: 6, field: '', rule: 'invalid_type', message: 'must be a JSON object' },
      { line: 7, field: 'slug', rule: 'duplicate', message: "'fine-one' is already used on line 1" },
      expect.objectContaining({ line: 8, rule: 'unrecognized_keys' }),
    ]);
    expect(await list()).toEqual(before);
  });

  it('refuses imports that are not multipart, use another field, or exceed the size limit', async () => {
    const notMultipart = await http.post<ErrorBody>('/api/v1/skills/management/import', { key: server.adminKey, body: { slug: 'x' } });
    expect(notMultipart.status).toBe(415);
    const wrongField = await importFile(jsonl({ slug: 'x', instructions: 'y' }), { field: 'file' });
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.error.details).toContainEqual(expect.objectContaining({ field: 'body.skills' }));
    const tooLarge = await importFile('a'.repeat(server.server.container.skills.maxImportBytes + 10));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('file_too_large');
    expect((await list()).some((skill) => skill.slug === 'x')).toBe(false);
  });

  it('exports every skill as JSONL by pages; clearing and importing the export gives the same skills', async () => {
    // More than one export page (200 rows).
    const many = Array.from({ length: 450 }, (_, index) => ({ slug: `bulk-${String(index).padStart(3, '0')}`, instructions: `Bulk skill ${index}.` }));
    const bulk = await importFile(jsonl(...many));
    expect(bulk.body).toMatchObject({ enqueued: 450, skipped: 0 });

    const exported = await exportFile();
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(exported.headers.get('content-disposition')).toContain('skills.jsonl');
    const lines = exported.text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(453);
    expect(new Set(lines.map((line) => line.slug)).size).toBe(453);
    expect(lines.find((line) => line.slug === 'summarizer')).toEqual({
      slug: 'summarizer',
      description: 'Summarizes text',
      instructions: summarizer.instructions,
      options: {
        instructionSources: [{ ...summarizer.options.instructionSources[0] }],
        allowedToolsNames: ['web-search', 'fetch-page'],
      },
    });
    expect(lines.find((line) => line.slug === 'bulk-000')).toEqual({
      slug: 'bulk-000',
      description: null,
      instructions: 'Bulk skill 0.',
      options: { instructionSources: [], allowedToolsNames: [] },
    });

    const cleared = await clear();
    expect(cleared.status).toBe(200);
    expect(cleared.body.removedCount).toBe(453);
    expect(await list()).toEqual([]);
    expect((await exportFile()).text).toBe('');

    const reimported = await importFile(exported.text);
    expect(reimported.body).toMatchObject({ enqueued: 453, skipped: 0 });
    expect((await exportFile()).text).toBe(exported.text);
  });

  it('survives a client that leaves in the middle of an export', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/v1/skills/management/export.jsonl`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    await reader?.read();
    controller.abort();
    await reader?.cancel().catch(() => undefined);
    expect((await exportFile()).text.split('\n').filter(Boolean)).toHaveLength(453);
  });

  it('hides skills from other organizations: 404 by id, absent from their list, export and clear', async () => {
    const [mine] = await list();
    const id = mine?.id ?? '';
    expect((await view(id, other.key)).status).toBe(404);
    expect((await http.put(`/api/v1/skills/${id}`, { key: other.key, body: { slug: 'stolen', instructions: 'x' } })).status).toBe(404);
    expect((await http.delete(`/api/v1/skills/${id}`, { key: other.key })).status).toBe(404);
    expect(await list(other.key)).toEqual([]);
    expect((await exportFile(other.key)).text).toBe('');
    expect((await clear(other.key)).body.removedCount).toBe(0);
    expect((await view(id)).body.slug).toBe(mine?.slug);
    expect((await view('not-a-real-id')).status).toBe(404);
  });

  it('refuses agent-scoped keys with 403', async () => {
    const gateway = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: server.adminKey,
      body: { name: 'Skilled', parameters: { baseAddress: '', modelName: '@groq/m' } },
    });
    const { database, apiKeys } = server.server.container;
    const agentKey = await database.handle
      .transaction()
      .execute((transaction) => apiKeys.issue(transaction, operatorActor(server.orgId, 'test'), { label: 'agent', agentId: gateway.body.aiGatewayId }));
    const [mine] = await list();
    const responses = [
      await http.get<ErrorBody>('/api/v1/skills', { key: agentKey.secret }),
      await create({ slug: 'agent-made', instructions: 'x' }, agentKey.secret),
      await view(mine?.id ?? '', agentKey.secret),
      await clear(agentKey.secret),
      await importFile(jsonl({ slug: 'agent-made', instructions: 'x' }), { key: agentKey.secret }),
    ];
    const exported = await exportFile(agentKey.secret);
    expect([...responses.map((response) => response.status), exported.status]).toEqual([403, 403, 403, 403, 403, 403]);
    expect(responses[0]?.body.error.code).toBe('key_scope');
    expect((await list()).some((skill) => skill.slug === 'agent-made')).toBe(false);
  });

  it('gives the agent runtime skills by slug, in the order asked, leaving out unknown ones', async () => {
    const { skills } = server.server.container;
    const definitions = await skills.bySlugs(server.orgId, ['summarizer', 'missing', 'bulk-001', 'summarizer']);
    expect(definitions.map((definition) => definition.slug)).toEqual(['summarizer', 'bulk-001']);
    expect(definitions[0]).toEqual({
      id: expect.any(String),
      slug: 'summarizer',
      name: 'summarizer',
      description: 'Summarizes text',
      instructions: summarizer.instructions,
      instructionSources: ['https://docs.example.com/style.md'],
      instructionSourceDetails: [summarizer.options.instructionSources[0]],
      allowedToolsNames: ['web-search', 'fetch-page'],
    });
    expect(await skills.bySlugs(other.id, ['summarizer'])).toEqual([]);
    expect(await skills.bySlugs(server.orgId, [])).toEqual([]);
  });

  it('audits a changed header value without showing it, and leaves an unchanged skill alone', async () => {
    const id = (await list()).find((skill) => skill.slug === 'summarizer')?.id ?? '';
    const before = (await view(id)).body;
    const rotated = 'Bearer rotated-secret-6262';
    const body = {
      ...summarizer,
      options: { ...summarizer.options, instructionSources: [{ ...summarizer.options.instructionSources[0], headers: { Authorization: rotated } }] },
    };
    expect((await http.put(`/api/v1/skills/${id}`, { key: server.adminKey, body })).status).toBe(200);
    const updated = await auditOf(id, 'Updated');
    expect(updated.changedProperties).toEqual([{ propertyName: 'options.instructionSources.headers', oldValue: '***', newValue: '***' }]);
    expect(JSON.stringify(updated)).not.toContain('rotated-secret');

    const again = await http.put<SkillView>(`/api/v1/skills/${id}`, { key: server.adminKey, body });
    expect(again.body.updatedAt).not.toBe(before.updatedAt);
    expect((await http.put<SkillView>(`/api/v1/skills/${id}`, { key: server.adminKey, body: {} })).body).toEqual(again.body);
    const events = await http.get<{ items: unknown[] }>(`/api/v1/AuditLog?entityType=Skill&entityId=${id}&changeType=Updated`, { key: server.adminKey });
    expect(events.body.items).toHaveLength(1);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const document = await http.get<{ paths: Record<string, Record<string, { description?: string }>> }>('/openapi.json');
    expect(Object.keys(document.body.paths['/api/v1/skills'] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(document.body.paths['/api/v1/skills/{id}'] ?? {})).toEqual(expect.arrayContaining(['get', 'put', 'delete']));
    expect(document.body.paths['/api/v1/skills/management/import']?.post?.description).toContain('all or nothing');
    expect(document.body.paths['/api/v1/skills/management/export.jsonl']?.get?.description).toContain('a page at a time');
    expect(document.body.paths['/api/v1/skills/management/clear']?.delete).toBeDefined();
  });
});
