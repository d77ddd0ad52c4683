import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../src/features/audit/index.js';
import { MemoryService } from '../src/features/memories/index.js';
import type { ToolContext, ToolResult } from '../src/features/tools/agent-tool.js';
import { rememberTool } from '../src/features/tools/builtins/index.js';
import { dialects } from './support/dialects.js';
import { type MigratedTestDatabase, openMigratedTestDatabase } from './support/test-server.js';

const ORG_ID = '019ad200-0000-7000-8000-000000000001';
const AGENT_ID = '019ad200-0000-7000-8000-0000000000a1';

function read(result: ToolResult): Record<string, unknown> {
  return JSON.parse(result.content) as Record<string, unknown>;
}

describe.each(dialects)('Remember tool on a real database (%s)', (dialect) => {
  let migrated: MigratedTestDatabase;
  let memories: MemoryService;

  beforeAll(async () => {
    migrated = await openMigratedTestDatabase(dialect);
    const now = new Date().toISOString();
    await migrated.database.handle
      .insertInto('organizations')
      .values({ id: ORG_ID, name: 'Memories', salt: 'salt', parameters: '{}', balance: 0, balance_limited: 0, created_at: now, updated_at: now })
      .execute();
    memories = new MemoryService({ db: migrated.database.handle, audit: new AuditService(migrated.database.handle) });
  });
  afterAll(async () => {
    await migrated?.close();
  });

  function context(externalUserId: string | null): ToolContext {
    return { orgId: ORG_ID, agentId: AGENT_ID, conversationId: 'c1', externalUserId, timeZone: null, signal: new AbortController().signal } as unknown as ToolContext;
  }

  it('stores a Text memory for the conversation’s external user', async () => {
    const result = await rememberTool(memories).execute({ content: '  Prefers tea over coffee. ' }, context('tool-user'));
    expect(result.isError).toBe(false);
    expect(read(result)).toMatchObject({ remembered: true, format: 'Text', content: 'Prefers tea over coffee.', expiresAt: null });
    const stored = await memories.forUser(ORG_ID, 'tool-user', { includeAll: true });
    expect(stored).toEqual([expect.objectContaining({ content: 'Prefers tea over coffee.', agentId: AGENT_ID, format: 'Text' })]);
  });

  it('stores a DateReminder with its expiry in UTC, inferring the format from expiresAt', async () => {
    const expiresAt = '2099-06-01T09:30:00+02:00';
    const explicit = await rememberTool(memories).execute({ content: 'Flight to Oslo.', format: 'DateReminder', expiresAt }, context('tool-user'));
    expect(read(explicit)).toMatchObject({ format: 'DateReminder', expiresAt: '2099-06-01T07:30:00.000Z' });
    const inferred = await rememberTool(memories).execute({ content: 'Hotel check-in.', expiresAt }, context('tool-user'));
    expect(read(inferred)).toMatchObject({ format: 'DateReminder' });
    const stored = await memories.forUser(ORG_ID, 'tool-user', { includeAll: true });
    expect(stored.map((memory) => memory.format)).toEqual(['DateReminder', 'DateReminder', 'Text']);
  });

  it('explains that memories need an external user id, and stores nothing', async () => {
    const result = await rememberTool(memories).execute({ content: 'Anonymous fact.' }, context(null));
    expect(result.isError).toBe(true);
    expect(read(result).error).toContain('external user id');
    const rows = await migrated.database.handle.selectFrom('memories').select('id').where('content', '=', 'Anonymous fact.').execute();
    expect(rows).toEqual([]);
  });

  it('returns bad arguments and broken rules to the model, naming the field, without throwing', async () => {
    const tool = rememberTool(memories);
    const cases: Array<[unknown, string]> = [
      [{}, 'content:'],
      [{ content: '   ' }, 'content:'],
      [{ content: 'x'.repeat(2_001) }, 'content:'],
      [{ content: 'Dated', format: 'DateReminder' }, 'expiresAt: is required'],
      [{ content: 'Dated', format: 'Text', expiresAt: '2099-01-01T00:00:00Z' }, 'expiresAt: applies only to DateReminder'],
      [{ content: 'Dated', expiresAt: 'next Friday' }, 'expiresAt:'],
      [{ content: 'Dated', format: 'Reminder' }, 'format:'],
      [{ content: 'Past', expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt: must be in the future'],
      ['not json', 'not valid JSON'],
    ];
    for (const [args, expected] of cases) {
      const result = await tool.execute(args, context('tool-rules'));
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(read(result).error, JSON.stringify(args)).toContain(expected);
    }
    expect(await memories.forUser(ORG_ID, 'tool-rules', { includeAll: true })).toEqual([]);
  });
});
