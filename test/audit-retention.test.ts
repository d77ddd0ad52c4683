import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPurgeJob } from '../src/features/audit/index.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

const DAY_MS = 86_400_000;

interface AuditEvent {
  readonly id: string;
  readonly createdAt: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly changeType: string;
  readonly userName: string | null;
}

interface AuditPage {
  readonly items: AuditEvent[];
  readonly totalCount: number;
}

describe.each(dialects)('audit log retention (%s)', (dialect) => {
  let server: TestServer;
  let client: HttpClient;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    client = httpClient(server.url);
  });

  afterAll(async () => {
    await server?.close();
  });

  async function auditLog(key: string): Promise<AuditPage> {
    const response = await client.get<AuditPage>('/api/v1/AuditLog?limit=100', { key });
    expect(response.status).toBe(200);
    return response.body;
  }

  async function createApiKey(key: string, label: string): Promise<void> {
    const response = await client.post('/api/v1/accounts/api-key', { key, body: { label } });
    expect(response.status).toBe(200);
  }

  /** Arranging time: backdates events in the database, as if they had been recorded `days` ago. */
  async function age(events: readonly AuditEvent[], days: number): Promise<void> {
    expect(events.length).toBeGreaterThan(0);
    const { container } = server.server;
    await container.database.handle
      .updateTable('audit_events')
      .set({ created_at: new Date(Date.now() - days * DAY_MS).toISOString() })
      .where(
        'id',
        'in',
        events.map((event) => event.id),
      )
      .execute();
  }

  /** Enqueues the purge and runs it through the server's own job worker. */
  async function runPurge(): Promise<void> {
    const { container } = server.server;
    const definition = auditPurgeJob({
      audit: container.audit,
      retentionPolicies: () => container.organizations.auditRetentionPolicies(),
    });
    const job = await container.jobQueue.enqueue(definition, {});
    // Other features' recurring jobs may be due first; poll until ours has run.
    for (let round = 0; round < 10 && (await container.jobQueue.find(job.id))?.status !== 'succeeded'; round += 1) {
      expect(await container.jobWorker.pollOnce()).toBeGreaterThanOrEqual(1);
      await container.jobWorker.idle();
    }
    expect(await container.jobQueue.find(job.id)).toMatchObject({ status: 'succeeded', attempts: 1 });
  }

  it("purges events older than the organization's auditLogRetentionDays and keeps the rest", async () => {
    await createApiKey(server.adminKey, 'aged-key');
    const retention = await client.put('/api/v1/accounts', {
      key: server.adminKey,
      body: { parameters: { auditLogRetentionDays: 30 } },
    });
    expect(retention.status).toBe(200);
    await createApiKey(server.adminKey, 'recent-key');

    const before = await auditLog(server.adminKey);
    // Newest first: the recent key, the retention change, the aged key, then the bootstrap's two events.
    expect(before.items.map((event) => `${event.entityType} ${event.changeType}`)).toEqual([
      'ApiKey Created',
      'Organization Updated',
      'ApiKey Created',
      'ApiKey Created',
      'Organization Created',
    ]);
    const [recentKey, retentionChange, ...olderEvents] = before.items;
    if (!recentKey || !retentionChange) throw new Error('expected the two recent events');
    await age(olderEvents, 40);
    // Old, but inside the 30-day retention: it stays.
    await age([retentionChange], 20);

    await runPurge();

    const after = await auditLog(server.adminKey);
    expect(after.totalCount).toBe(2);
    expect(after.items.map((event) => event.id)).toEqual([recentKey.id, retentionChange.id]);
    for (const purged of olderEvents) {
      const response = await client.get(`/api/v1/AuditLog/${purged.id}`, { key: server.adminKey });
      expect(response.status).toBe(404);
    }
  });

  it('keeps 40-day-old events of an organization on the default retention', async () => {
    expect(server.config.audit.defaultRetentionDays).toBe(365);
    const { container } = server.server;
    const other = await container.organizations.create({ name: 'Default retention' });
    const otherKey = other.apiKey.secret;
    await createApiKey(otherKey, 'integration');
    await createApiKey(otherKey, 'reporting');
    const account = await client.get<{ parameters: { auditLogRetentionDays: number | null } }>('/api/v1/accounts', {
      key: otherKey,
    });
    expect(account.body.parameters.auditLogRetentionDays).toBeNull();

    const before = await auditLog(otherKey);
    expect(before.totalCount).toBe(4);
    const [newest, ...rest] = before.items;
    if (!newest) throw new Error('expected audit events');
    await age(rest, 40);
    // Past the operator default of 365 days: this one goes.
    await age([newest], 400);
    const firstOrganization = await auditLog(server.adminKey);

    await runPurge();

    const after = await auditLog(otherKey);
    expect(after.totalCount).toBe(3);
    expect(after.items.map((event) => event.id).sort()).toEqual(rest.map((event) => event.id).sort());
    // Nothing of the first organization (all recorded just now) was due for purging.
    expect((await auditLog(server.adminKey)).items).toEqual(firstOrganization.items);
  });
});
