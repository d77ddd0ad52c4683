import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  cursorPageQuery,
  decodeCursor,
  encodeCursor,
  numberedPageOffset,
  numberedPageQuery,
  offsetPageQuery,
  toCursorPage,
  toNumberedPage,
} from './paging.js';

describe('offset/limit paging', () => {
  it('defaults and bounds its query', () => {
    expect(offsetPageQuery.parse({})).toEqual({ offset: 0, limit: 50 });
    expect(offsetPageQuery.parse({ offset: '10', limit: '5' })).toEqual({ offset: 10, limit: 5 });
    expect(offsetPageQuery.safeParse({ limit: '501' }).success).toBe(false);
    expect(offsetPageQuery.safeParse({ offset: '-1' }).success).toBe(false);
  });
});

describe('limit + next token paging', () => {
  const rows = Array.from({ length: 5 }, (_, index) => ({ id: `id-${index}`, createdAt: `2026-01-0${index + 1}` }));
  const cursorOf = (row: (typeof rows)[number]) => ({ sortKey: row.createdAt, id: row.id });

  it('round-trips a cursor through an opaque token', () => {
    const token = encodeCursor({ sortKey: '2026-01-01T00:00:00.000Z', id: 'abc' });
    expect(token).not.toContain('abc');
    expect(decodeCursor(token)).toEqual({ sortKey: '2026-01-01T00:00:00.000Z', id: 'abc' });
  });

  it('gives a next token only when more rows exist', () => {
    const first = toCursorPage(rows.slice(0, 3), 2, cursorOf);
    expect(first.data.map((row) => row.id)).toEqual(['id-0', 'id-1']);
    expect(decodeCursor(first.next ?? '')).toEqual({ sortKey: '2026-01-02', id: 'id-1' });
    expect(toCursorPage(rows.slice(3), 2, cursorOf).next).toBeNull();
  });

  it('rejects tokens it did not make, naming the parameter', () => {
    for (const token of ['not-base64-json', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
      expect(() => decodeCursor(token)).toThrow(AppError);
      expect(() => decodeCursor(token)).toThrow(/next/);
    }
  });

  it('defaults its query', () => {
    expect(cursorPageQuery.parse({})).toEqual({ limit: 20 });
  });
});

describe('page/pageSize paging', () => {
  it('computes totals and neighbours', () => {
    const request = numberedPageQuery.parse({ page: '2', pageSize: '10' });
    expect(numberedPageOffset(request)).toBe(10);
    expect(toNumberedPage(['a'], request, 21)).toEqual({
      items: ['a'],
      currentPage: 2,
      pageSize: 10,
      totalItems: 21,
      totalPages: 3,
      hasNextPage: true,
      hasPreviousPage: true,
    });
    expect(toNumberedPage([], numberedPageQuery.parse({}), 0)).toMatchObject({
      totalPages: 0,
      hasNextPage: false,
      hasPreviousPage: false,
    });
  });
});
