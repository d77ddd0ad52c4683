import { describe, expect, it } from 'vitest';
import type { ToolContext, ToolResult } from '../agent-tool.js';
import { calendarTool } from './calendar-tool.js';

// 2024-03-10 12:34:56Z: a Sunday, hours after New York switched to daylight time.
const NOW = new Date('2024-03-10T12:34:56.789Z');

function context(timeZone: string | null): ToolContext {
  return { timeZone, signal: new AbortController().signal } as unknown as ToolContext;
}

function read(result: ToolResult): Record<string, unknown> {
  return JSON.parse(result.content) as Record<string, unknown>;
}

describe('Calendar tool', () => {
  const tool = calendarTool({ now: () => NOW });

  it('describes itself as a builtin with a small JSON schema', () => {
    expect(tool).toMatchObject({ name: 'Calendar', kind: 'builtin', requiresApproval: false });
    expect(tool.parameters).toEqual({
      type: 'object',
      properties: { timeZone: expect.objectContaining({ type: 'string' }) },
      additionalProperties: false,
    });
  });

  it('tells the time in the zone asked for, with weekday, offset and ISO timestamp', async () => {
    const newYork = await tool.execute({ timeZone: 'America/New_York' }, context(null));
    expect(newYork.isError).toBe(false);
    expect(read(newYork)).toEqual({
      timeZone: 'America/New_York',
      date: '2024-03-10',
      time: '08:34:56',
      weekday: 'Sunday',
      iso: '2024-03-10T08:34:56-04:00',
      utcOffset: '-04:00',
      utc: '2024-03-10T12:34:56.789Z',
      unixSeconds: 1710074096,
    });
    expect(read(await tool.execute({ timeZone: 'Asia/Kolkata' }, context(null)))).toMatchObject({
      iso: '2024-03-10T18:04:56+05:30',
      utcOffset: '+05:30',
      weekday: 'Sunday',
    });
    expect(read(await tool.execute({ timeZone: 'Pacific/Kiritimati' }, context(null)))).toMatchObject({
      date: '2024-03-11',
      weekday: 'Monday',
      utcOffset: '+14:00',
    });
    expect(read(await tool.execute({ timeZone: 'Pacific/Chatham' }, context(null)))).toMatchObject({ utcOffset: '+13:45' });
  });

  it('uses the user’s zone by default, else UTC', async () => {
    expect(read(await tool.execute({}, context('Europe/Paris')))).toMatchObject({ timeZone: 'Europe/Paris', iso: '2024-03-10T13:34:56+01:00' });
    expect(read(await tool.execute(undefined, context(null)))).toMatchObject({ timeZone: 'UTC', iso: '2024-03-10T12:34:56+00:00', utcOffset: '+00:00' });
    expect(read(await tool.execute('', context(null)))).toMatchObject({ timeZone: 'UTC' });
    expect(read(await tool.execute({ timeZone: 'Asia/Tokyo' }, context('Europe/Paris')))).toMatchObject({ timeZone: 'Asia/Tokyo' });
  });

  it('falls back to UTC with a note when the user’s stored zone is not valid', async () => {
    const result = await tool.execute({}, context('Mars/Olympus'));
    expect(result.isError).toBe(false);
    expect(read(result)).toMatchObject({ timeZone: 'UTC', note: expect.stringContaining('Mars/Olympus') });
  });

  it('returns error results for a bad zone or bad arguments instead of throwing', async () => {
    const unknown = await tool.execute({ timeZone: 'Mars/Olympus' }, context(null));
    expect(unknown.isError).toBe(true);
    expect(read(unknown).error).toContain('timeZone: "Mars/Olympus" is not a known IANA time zone');

    const wrongType = await tool.execute({ timeZone: 42 }, context(null));
    expect(wrongType.isError).toBe(true);
    expect(read(wrongType).error).toMatch(/^Invalid arguments: timeZone: /);

    const extra = await tool.execute({ zone: 'UTC' }, context(null));
    expect(read(extra).error).toContain('zone');
    expect((await tool.execute('{not json', context(null))).isError).toBe(true);
    expect((await tool.execute([1], context(null))).isError).toBe(true);
  });

  it('reads arguments sent as JSON text', async () => {
    expect(read(await tool.execute('{"timeZone":"Asia/Kolkata"}', context(null)))).toMatchObject({ utcOffset: '+05:30' });
  });
});
