import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryService } from '../src/features/memories/index.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface MemorySummary {
  id: string;
  externalUserId: string;
  content: string | null;
  format: 'Text' | 'DateReminder';
}
interface MemoryDetail extends MemorySummary {
  createdAt: string;
  expiresAt: string | null;
  agentId: string | null;
}
interface Deleted {
  message: string;
  removedCount: number;
  externalUserId: string | null;
  format: string | null;
}
type ErrorBody = { error: { code: string; message: string; details?: Array<{ field: string; rule: string }> } };

const AGENT_ID = '019ad1b0-1d2e-7c3f-9a4b-5c6d7e8f9a0b';
const UNKNOWN_ID = '019ad1c4-0000-7000-8000-000000000000';
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe.each(dialects)('memories (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;
  let memories: MemoryService;
  let other: { key: string; orgId: string };

  beforeAll(async () => {
    server = await startTestServer(dialect);
    http = httpClient(server.url);
    memories = server.server.container.memories;
    const created = await server.server.container.organizations.create({ name: 'Other memories org' });
    other = { key: created.apiKey.secret, orgId: created.organization.id };
  });
  afterAll(async () => {
    await server?.close();
  });

  async function remember(externalUserId: string, content: string, options: { expiresAt?: string; orgId?: string } = {}) {
    return memories.remember({
      orgId: options.orgId ?? server.orgId,
      agentId: AGENT_ID,
      externalUserId,
      format: options.expiresAt ? 'DateReminder' : 'Text',
      content,
      ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
    });
  }

  const list = (query = '', key = server.adminKey) => http.get<MemorySummary[] & ErrorBody>(`/api/v1/memories${query}`, { key });
  const remove = (query: string, key = server.adminKey) => http.delete<Deleted & ErrorBody>(`/api/v1/memories${query}`, { key });

  describe('listing and reading', () => {
    let ids: { tea: string; reminder: string; percent: string; bob: string };

    beforeAll(async () => {
      const tea = await remember('list-alice', 'Likes green TEA in the morning.');
      const reminder = await remember('list-alice', 'Dentist appointment next week.', { expiresAt: inDays(7) });
      const percent = await remember('list-alice', 'Got a 50% discount code.');
      const bob = await remember('list-bob', 'Prefers phone calls.');
      ids = { tea: tea.id, reminder: reminder.id, percent: percent.id, bob: bob.id };
    });

    it('lists the organization’s memories newest first in the spec’s shape, with the total in a header', async () => {
      const response = await list('?filter=list-');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-total-count')).toBe('4');
      expect(response.body.map((memory) => memory.id)).toEqual([ids.bob, ids.percent, ids.reminder, ids.tea]);
      expect(response.body[0]).toEqual({ id: ids.bob, externalUserId: 'list-bob', content: 'Prefers phone calls.', format: 'Text' });
    });

    it('filters on content, external user id and id, ignoring case, with % and _ taken literally', async () => {
      expect((await list('?filter=green%20tea')).body.map((memory) => memory.id)).toEqual([ids.tea]);
      expect((await list('?filter=LIST-BOB')).body.map((memory) => memory.id)).toEqual([ids.bob]);
      expect((await list(`?filter=${ids.reminder.slice(-12)}`)).body.map((memory) => memory.id)).toEqual([ids.reminder]);
      expect((await list('?filter=50%25')).body.map((memory) => memory.id)).toEqual([ids.percent]);
      expect((await list('?filter=%25')).body.map((memory) => memory.id)).toEqual([ids.percent]);
      expect((await list('?filter=list_')).body).toEqual([]);
    });

    it('filters by format and rejects an unknown format', async () => {
      const reminders = await list('?filter=list-&format=DateReminder');
      expect(reminders.body.map((memory) => memory.id)).toEqual([ids.reminder]);
      const texts = await list('?filter=list-alice&format=Text');
      expect(texts.body.map((memory) => memory.id)).toEqual([ids.percent, ids.tea]);
      const invalid = await list('?format=Note');
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.message).toContain('query.format');
    });

    it('pages with offset and limit', async () => {
      const page = await list('?filter=list-&offset=1&limit=2');
      expect(page.body.map((memory) => memory.id)).toEqual([ids.percent, ids.reminder]);
      expect(page.headers.get('x-total-count')).toBe('4');
      expect((await list('?limit=0')).status).toBe(400);
    });

    it('gets one memory with its dates, accepting ?api-key=', async () => {
      const response = await http.get<MemoryDetail>(`/api/v1/memories/${ids.reminder}?api-key=${server.adminKey}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: ids.reminder,
        externalUserId: 'list-alice',
        content: 'Dentist appointment next week.',
        format: 'DateReminder',
        agentId: AGENT_ID,
      });
      expect(Date.parse(response.body.expiresAt ?? '')).toBeGreaterThan(Date.now());
      expect(Date.parse(response.body.createdAt)).toBeLessThanOrEqual(Date.now());
      const text = await http.get<MemoryDetail>(`/api/v1/memories/${ids.tea}`, { key: server.adminKey });
      expect(text.body.expiresAt).toBeNull();
    });

    it('answers 404 for an unknown id, a non-UUID id and no key at all with 401', async () => {
      for (const id of [UNKNOWN_ID, 'not-a-uuid']) {
        const response = await http.get<ErrorBody>(`/api/v1/memories/${id}`, { key: server.adminKey });
        expect(response.status).toBe(404);
        expect(response.body.error.code).toBe('not_found');
      }
      expect((await http.get(`/api/v1/memories/${ids.tea}`)).status).toBe(401);
      expect((await http.get('/api/v1/memories')).status).toBe(401);
    });
  });

  describe('deleting', () => {
    it('deletes one memory by id, names its user and format, and audits it without the content', async () => {
      const memory = await remember('delete-carol', 'Secret-ish detail to forget.');
      const response = await remove(`?id=${memory.id}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ message: 'Memories deleted successfully.', removedCount: 1, externalUserId: 'delete-carol', format: 'Text' });
      expect((await http.get(`/api/v1/memories/${memory.id}`, { key: server.adminKey })).status).toBe(404);

      const audit = await http.get<{ items: Array<{ id: string; changeType: string }> }>(`/api/v1/AuditLog?entityType=Memory&entityId=${memory.id}`, {
        key: server.adminKey,
      });
      expect(audit.body.items.map((event) => event.changeType)).toEqual(['Deleted']);
      const detail = await http.get(`/api/v1/AuditLog/${audit.body.items[0]?.id}`, { key: server.adminKey });
      expect(JSON.stringify(detail.body)).toContain('delete-carol');
      expect(JSON.stringify(detail.body)).not.toContain('Secret-ish');
    });

    it('answers 404 for an unknown id, and again for one already deleted', async () => {
      const response = await remove(`?id=${UNKNOWN_ID}`);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('not_found');
      const memory = await remember('delete-dave', 'Deleted twice.');
      expect((await remove(`?id=${memory.id}`)).status).toBe(200);
      expect((await remove(`?id=${memory.id}`)).status).toBe(404);
    });

    it('deletes the memories of an external user of one format only', async () => {
      await remember('delete-erin', 'First fact.');
      await remember('delete-erin', 'Second fact.');
      const reminder = await remember('delete-erin', 'Flight on Friday.', { expiresAt: inDays(3) });
      const kept = await remember('delete-erin-2', 'Another user.');

      const response = await remove('?externalUserId=delete-erin&format=Text');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ message: 'Memories deleted successfully.', removedCount: 2, externalUserId: 'delete-erin', format: 'Text' });
      expect((await list('?filter=delete-erin')).body.map((memory) => memory.id)).toEqual([kept.id, reminder.id]);

      const reminders = await remove('?externalUserId=delete-erin&format=DateReminder');
      expect(reminders.body).toMatchObject({ removedCount: 1, format: 'DateReminder' });
      const none = await remove('?externalUserId=delete-erin&format=Text');
      expect(none.status).toBe(200);
      expect(none.body.removedCount).toBe(0);
      expect((await list('?filter=delete-erin')).body.map((memory) => memory.id)).toEqual([kept.id]);
    });

    it('answers 400 naming the field for every invalid combination, and deletes nothing', async () => {
      const memory = await remember('delete-frank', 'Must survive bad requests.');
      const cases: Array<[string, string]> = [
        [`?id=${memory.id}&externalUserId=delete-frank`, 'query.id'],
        [`?id=${memory.id}&externalUserId=delete-frank&format=Text`, 'query.id'],
        ['', 'query.id'],
        ['?format=Text', 'query.id'],
        ['?externalUserId=delete-frank', 'query.format'],
        ['?externalUserId=delete-frank&format=Note', 'query.format'],
        [`?id=${memory.id}&format=Text`, 'query.format'],
        ['?id=not-a-uuid', 'query.id'],
        ['?externalUserId=', 'query.externalUserId'],
      ];
      for (const [query, field] of cases) {
        const response = await remove(query);
        expect(response.status, query).toBe(400);
        expect(response.body.error.code, query).toBe('validation_failed');
        expect(response.body.error.message, query).toContain(field);
      }
      expect((await http.get(`/api/v1/memories/${memory.id}`, { key: server.adminKey })).status).toBe(200);
    });
  });

  describe('organizations', () => {
    it('keeps each organization’s memories out of the other’s reach', async () => {
      const mine = await remember('shared-user', 'Belongs to the first organization.');
      const theirs = await remember('shared-user', 'Belongs to the other organization.', { orgId: other.orgId });

      const theirList = await list('', other.key);
      expect(theirList.body.map((memory) => memory.id)).toEqual([theirs.id]);
      expect((await list('?filter=shared-user')).body.map((memory) => memory.id)).toEqual([mine.id]);
      expect((await http.get(`/api/v1/memories/${mine.id}`, { key: other.key })).status).toBe(404);

      expect((await remove(`?id=${mine.id}`, other.key)).status).toBe(404);
      const byUser = await remove('?externalUserId=shared-user&format=Text', other.key);
      expect(byUser.body.removedCount).toBe(1);
      expect((await http.get(`/api/v1/memories/${mine.id}`, { key: server.adminKey })).status).toBe(200);
      expect((await http.get(`/api/v1/memories/${theirs.id}`, { key: other.key })).status).toBe(404);
    });

    it('refuses agent-scoped keys: memories belong to the whole organization', async () => {
      const gateway = await http.post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
        key: server.adminKey,
        body: { name: 'Memory scope agent', parameters: { baseAddress: 'https://203.0.113.10/v1', modelName: 'm1' } },
      });
      expect(gateway.status).toBe(200);
      const issued = await http.post<{ secret: string }>(`/api/v1/Agent/${gateway.body.aiGatewayId}/api-keys`, {
        key: server.adminKey,
        body: { label: 'widget' },
      });
      expect(issued.status).toBe(201);
      const agentKey = issued.body.secret;
      expect((await list('', agentKey)).status).toBe(403);
      expect((await remove(`?id=${UNKNOWN_ID}`, agentKey)).status).toBe(403);
    });
  });

  describe('for agents', () => {
    it('refreshes a memory stored twice instead of adding a twin', async () => {
      const first = await remember('agent-gina', 'Is vegetarian.');
      const again = await remember('agent-gina', '  Is vegetarian.  ');
      expect(again.id).toBe(first.id);
      expect((await list('?filter=agent-gina')).body).toHaveLength(1);
    });

    it('refuses a reminder without a future expiry and a Text memory with one', async () => {
      const base = { orgId: server.orgId, agentId: AGENT_ID, externalUserId: 'agent-gina' };
      await expect(memories.remember({ ...base, format: 'DateReminder', content: 'No date' })).rejects.toThrow('expiresAt');
      await expect(memories.remember({ ...base, format: 'DateReminder', content: 'Past', expiresAt: inDays(-1) })).rejects.toThrow('future');
      await expect(memories.remember({ ...base, format: 'Text', content: 'Dated', expiresAt: inDays(1) })).rejects.toThrow('expiresAt');
      await expect(memories.remember({ ...base, format: 'Text', content: '   ' })).rejects.toThrow('content');
    });

    it('gives a prompt every unexpired memory, or the most relevant ones', async () => {
      const pets = await remember('agent-hugo', 'Has two cats named Miso and Tofu.');
      const diet = await remember('agent-hugo', 'Allergic to peanuts.');
      const trip = await remember('agent-hugo', 'Trip to Lisbon in March.', { expiresAt: inDays(30) });
      await remember('agent-other', 'Also has cats.');

      const all = await memories.forUser(server.orgId, 'agent-hugo', { includeAll: true });
      expect(all.map((memory) => memory.id)).toEqual([trip.id, diet.id, pets.id]);
      expect((await memories.forUser(server.orgId, 'agent-hugo', { includeAll: true, limit: 2 })).map((memory) => memory.id)).toEqual([
        trip.id,
        diet.id,
      ]);

      const relevant = await memories.forUser(server.orgId, 'agent-hugo', { includeAll: false, query: 'What should I feed my cats?', limit: 2 });
      expect(relevant.map((memory) => memory.id)).toEqual([pets.id, trip.id]);
      const peanuts = await memories.forUser(server.orgId, 'agent-hugo', { includeAll: false, query: 'peanut butter?', limit: 1 });
      expect(peanuts.map((memory) => memory.content)).toEqual(['Allergic to peanuts.']);
      expect(await memories.forUser(other.orgId, 'agent-hugo', { includeAll: true })).toEqual([]);
    });
  });

  it('hides expired reminders at once and purges them in a job', async () => {
    const expiring = await remember('expiry-ivan', 'Call back about the invoice.', { expiresAt: inDays(1) });
    const future = await remember('expiry-ivan', 'Renew passport.', { expiresAt: inDays(10) });
    const text = await remember('expiry-ivan', 'Speaks French.');
    const { database, jobQueue, jobWorker } = server.server.container;
    await database.handle
      .updateTable('memories')
      .set({ expires_at: new Date(Date.now() - 60_000).toISOString() })
      .where('id', '=', expiring.id)
      .execute();

    expect((await list('?filter=expiry-ivan')).body.map((memory) => memory.id)).toEqual([text.id, future.id]);
    expect((await http.get(`/api/v1/memories/${expiring.id}`, { key: server.adminKey })).status).toBe(404);
    expect((await memories.forUser(server.orgId, 'expiry-ivan', { includeAll: true })).map((memory) => memory.id)).not.toContain(expiring.id);

    const run = await jobQueue.enqueue(memories.jobs.purgeExpired, {});
    while ((await jobWorker.pollOnce()) > 0) await jobWorker.idle();
    expect(await jobQueue.find(run.id)).toMatchObject({ status: 'succeeded' });
    const rows = await database.handle.selectFrom('memories').select('id').where('external_user_id', '=', 'expiry-ivan').execute();
    expect(rows.map((row) => row.id).sort()).toEqual([future.id, text.id].sort());
  });

  it('documents the three routes in OpenAPI', async () => {
    const document = await http.get<{ paths: Record<string, Record<string, { description?: string; parameters?: Array<{ name: string }> }>> }>(
      '/openapi.json',
    );
    const paths = document.body.paths;
    expect(Object.keys(paths['/api/v1/memories'] ?? {}).sort()).toEqual(['delete', 'get']);
    expect(paths['/api/v1/memories/{id}']?.get).toBeDefined();
    expect(paths['/api/v1/memories']?.delete?.parameters?.map((parameter) => parameter.name).sort()).toEqual(['externalUserId', 'format', 'id']);
    expect(paths['/api/v1/memories']?.get?.description).toContain('X-Total-Count');
  });
});
