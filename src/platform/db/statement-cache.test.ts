import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.js';

describe('withStatementCache', () => {
  it('prepares each SQL text once and evicts the least recently used', () => {
    const connection = new SqliteDatabase(':memory:');
    let prepared = 0;
    const counting = {
      prepare: (sql: string) => {
        prepared += 1;
        return connection.prepare(sql);
      },
      close: () => connection.close(),
    };
    const cached = withStatementCache(counting, 2);
    expect(cached.prepare('select 1 as a').all([])).toEqual([{ a: 1 }]);
    expect(cached.prepare('select 1 as a').all([])).toEqual([{ a: 1 }]);
    expect(prepared).toBe(1);

    cached.prepare('select 2 as b');
    cached.prepare('select 1 as a'); // most recent again
    cached.prepare('select 3 as c'); // evicts 'select 2'
    expect(prepared).toBe(3);
    cached.prepare('select 1 as a');
    expect(prepared).toBe(3);
    cached.prepare('select 2 as b');
    expect(prepared).toBe(4);
    cached.close();
    expect(connection.open).toBe(false);
  });
});
