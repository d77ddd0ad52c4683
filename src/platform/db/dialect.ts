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

/**
 * The current time in the one format every timestamp column stores and
 * returns. Under load several records share a millisecond (every gateway call
 * writes one), and formatting a Date costs more than comparing a number.
 */
export function nowIso(): string {
  const now = Date.now();
  if (now !== lastIsoMs) {
    lastIsoMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/** True for a unique-constraint violation on either dialect, so services can answer 409 instead of 500. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
