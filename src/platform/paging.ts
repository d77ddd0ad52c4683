import { z } from 'zod';
import { BadRequestError } from './errors.js';

/**
 * The three paging styles the contracts speak. Each has a query schema for
 * routes and a result shape; repositories receive the normalized form.
 */

// --- offset/limit (Organization API, Gateway API) -------------------------
export const offsetPageQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0).describe('Number of items to skip.'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Maximum number of items to return (1-500).'),
});
export type OffsetPageRequest = z.infer<typeof offsetPageQuery>;

export interface OffsetPage<T> {
  readonly items: T[];
  readonly totalCount: number;
  readonly offset: number;
  readonly limit: number;
}

export function offsetPageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), totalCount: z.number().int(), offset: z.number().int(), limit: z.number().int() });
}

// --- limit + next token (Conversations API) -------------------------------
export const cursorPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20).describe('Page size (1-200).'),
  next: z.string().max(512).optional().describe('Opaque token from the previous page.'),
});
export type CursorPageRequest = z.infer<typeof cursorPageQuery>;

export interface CursorPage<T> {
  readonly data: T[];
  readonly next: string | null;
}

/** Position of the last row a page returned: its sort key and its id as a tie-breaker. */
export interface Cursor {
  readonly sortKey: string;
  readonly id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sortKey, cursor.id]), 'utf8').toString('base64url');
}

export function decodeCursor(token: string): Cursor {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2 && decoded.every((part) => typeof part === 'string')) {
      return { sortKey: decoded[0] as string, id: decoded[1] as string };
    }
  } catch {
    // fall through to the error below
  }
  throw new BadRequestError('invalid_page_token', 'next: is not a token returned by a previous page.');
}

/**
 * Builds a cursor page from `limit + 1` fetched rows: the extra row only
 * proves there is a next page.
 */
export function toCursorPage<T>(rows: T[], limit: number, cursorOf: (row: T) => Cursor): CursorPage<T> {
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return { data, next: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}

// --- page/pageSize with totals (Agent-key API) ----------------------------
export const numberedPageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1).describe('Page number, from 1.'),
  pageSize: z.coerce.number().int().min(1).max(200).default(20).describe('Page size (1-200).'),
});
export type NumberedPageRequest = z.infer<typeof numberedPageQuery>;

export interface NumberedPage<T> {
  readonly items: T[];
  readonly currentPage: number;
  readonly pageSize: number;
  readonly totalItems: number;
  readonly totalPages: number;
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
}

export function numberedPageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    currentPage: z.number().int(),
    pageSize: z.number().int(),
    totalItems: z.number().int(),
    totalPages: z.number().int(),
    hasNextPage: z.boolean(),
    hasPreviousPage: z.boolean(),
  });
}

export function toNumberedPage<T>(items: T[], request: NumberedPageRequest, totalItems: number): NumberedPage<T> {
  const totalPages = Math.ceil(totalItems / request.pageSize);
  return {
    items,
    currentPage: request.page,
    pageSize: request.pageSize,
    totalItems,
    totalPages,
    hasNextPage: request.page < totalPages,
    hasPreviousPage: request.page > 1 && totalPages > 0,
  };
}

export function numberedPageOffset(request: NumberedPageRequest): number {
  return (request.page - 1) * request.pageSize;
}
