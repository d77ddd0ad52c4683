import { z } from 'zod';
import { type AgentTool, type ToolContext, errorResult, jsonResult } from '../agent-tool.js';
import { parseArguments, toolParameters } from './tool-arguments.js';

export interface CalendarToolOptions {
  /** The clock; tests pin it. */
  readonly now?: () => Date;
}

const calendarArguments = z.strictObject({
  timeZone: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('IANA time zone, e.g. "Europe/Paris". Defaults to the user’s time zone when known, else UTC.'),
});

/** A zone Intl accepts (IANA names, `UTC`, fixed offsets such as `+05:30`), in its canonical spelling. */
function canonicalZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const absolute = Math.abs(minutes);
  return `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
}

/** The wall-clock fields of `instant` in `zone`, and the zone's offset from UTC at that instant. */
export function describeInstant(instant: Date, zone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'long',
    })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  ) as Record<string, string>;
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  const time = `${parts.hour}:${parts.minute}:${parts.second}`;
  // The offset is how far the wall clock is ahead of UTC, to the minute (sub-minute historic offsets are rounded).
  const wallClockAsUtc = Date.parse(`${date}T${time}Z`);
  const offsetMinutes = Math.round((wallClockAsUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
  const utcOffset = formatOffset(offsetMinutes);
  return {
    timeZone: zone,
    date,
    time,
    weekday: parts.weekday ?? '',
    iso: `${date}T${time}${utcOffset}`,
    utcOffset,
    utc: instant.toISOString(),
    unixSeconds: Math.floor(instant.getTime() / 1000),
  };
}

/** `Calendar`: the current date and time where the user is, so relative dates ("next Friday") come out right. */
export function calendarTool(options: CalendarToolOptions = {}): AgentTool {
  return {
    name: 'Calendar',
    description:
      'Returns the current date and time in a time zone (the user’s by default, else UTC): date, time, weekday, ISO 8601 timestamp with UTC offset, and the UTC time. Call it before working out relative dates such as "tomorrow" or "next Monday".',
    parameters: toolParameters(calendarArguments),
    kind: 'builtin',
    requiresApproval: false,
    async execute(args: unknown, context: ToolContext) {
      const parsed = parseArguments(calendarArguments, args);
      if (!parsed.ok) return parsed.error;
      const now = options.now?.() ?? new Date();
      if (parsed.value.timeZone !== undefined) {
        const zone = canonicalZone(parsed.value.timeZone);
        if (!zone) return errorResult(`timeZone: "${parsed.value.timeZone}" is not a known IANA time zone (for example "Europe/Paris" or "UTC").`);
        return jsonResult(describeInstant(now, zone));
      }
      const userZone = context.timeZone ? canonicalZone(context.timeZone) : undefined;
      if (context.timeZone && !userZone) {
        // The user's zone comes from client data; a bad one should not cost the model its answer.
        return jsonResult({ ...describeInstant(now, 'UTC'), note: `The user's time zone "${context.timeZone}" is not valid; showing UTC.` });
      }
      return jsonResult(describeInstant(now, userZone ?? 'UTC'));
    },
  };
}
