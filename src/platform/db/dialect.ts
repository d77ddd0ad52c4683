import type { ColumnDataType } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** Column types that differ between the two dialects, named for what they hold. */
export interface ColumnTypes {
  readonly timestamp: ColumnDataType;
  readonly json: ColumnDataType;
  readonly double: ColumnDataType;
  /** Stored as 0/1 in both dialects: better-sqlite3 cannot bind booleans. */
  readonly flag: ColumnDataType;
}

export function columnTypes(dialect: Dialect): ColumnTypes {
  return dialect === 'postgres'
    ? { timestamp: 'timestamptz', json: 'jsonb', double: 'double precision', flag: 'integer' }
    : { timestamp: 'text', json: 'text', double: 'real', flag: 'integer' };
}

let lastIsoMs = Number.NaN;
let lastIso = '';
let lastIsoSecond = Number.NaN;
/** `YYYY-MM-DDTHH:MM:SS.` of the last second formatted. */
let lastIsoSecondPrefix = '';

/**
 * The current time in the one format every timestamp column stores and
 * returns (`toISOString`'s). Every gateway call writes one; V8 formats a Date
 * through snprintf, about 7k instructions, so that is done once a second and
 * the milliseconds are appended.
 */
export function nowIso(): string {
  const now = Date.now();
  if (now !== lastIsoMs) {
    lastIsoMs = now;
    const milliseconds = now % 1000;
    const second = now - milliseconds;
    if (second !== lastIsoSecond) {
      lastIsoSecond = second;
      lastIsoSecondPrefix = new Date(second).toISOString().slice(0, 20);
    }
    lastIso = `${lastIsoSecondPrefix}${milliseconds < 10 ? '00' : milliseconds < 100 ? '0' : ''}${milliseconds}Z`;
  }
  return lastIso;
}

/** True for a unique-constraint violation on either dialect, so services can answer 409 instead of 500. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
