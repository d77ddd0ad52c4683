import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from './database.js';
import { SqliteWriteThread, WriteBatchError } from './sqlite-write-thread.js';

const INSERT = 'insert into notes (id, body) values (?, ?)';

describe('SqliteWriteThread', () => {
  let directory: string;
  let database: Database;
  let thread: SqliteWriteThread;

  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'agentry-write-thread-'));
    const file = path.join(directory, 'agentry.db');
    database = await openDatabase({ dialect: 'sqlite', file });
    await sql`create table notes (id integer primary key, body text not null)`.execute(database.handle);
    thread = new SqliteWriteThread(file);
  });

  afterEach(async () => {
    await thread.close();
    await database.close();
    await fs.rm(directory, { recursive: true, force: true });
  });

  async function bodies(): Promise<string[]> {
    const { rows } = await sql<{ body: string }>`select body from notes order by id`.execute(database.handle);
    return rows.map((row) => row.body);
  }

  it('writes a batch on its own connection, visible to the main one once the promise resolves', async () => {
    await thread.run([
      { sql: INSERT, parameters: [1, 'first'] },
      { sql: INSERT, parameters: [2, 'second'] },
    ]);
    await thread.run([{ sql: 'update notes set body = ? where id = ?', parameters: ['second, edited', 2] }]);
    expect(await bodies()).toEqual(['first', 'second, edited']);
  });

  it('writes nothing of a batch that fails, and names SQLite’s error', async () => {
    await thread.run([{ sql: INSERT, parameters: [1, 'kept'] }]);
    const failed = thread.run([
      { sql: INSERT, parameters: [2, 'rolled back'] },
      { sql: INSERT, parameters: [1, 'duplicate id'] },
    ]);
    await expect(failed).rejects.toBeInstanceOf(WriteBatchError);
    await expect(failed).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(await bodies()).toEqual(['kept']);
    // The thread is still there for the next batch.
    await thread.run([{ sql: INSERT, parameters: [3, 'after'] }]);
    expect(await bodies()).toEqual(['kept', 'after']);
  });

  it('refuses a batch with a number JSON cannot carry, writing none of it', async () => {
    await expect(
      thread.run([
        { sql: INSERT, parameters: [1, 'fine'] },
        { sql: 'update notes set body = ? where id = ?', parameters: [Number.NaN, 1] },
      ]),
    ).rejects.toThrow(/finite/);
    await thread.run([{ sql: INSERT, parameters: [2, 'next'] }]);
    expect(await bodies()).toEqual(['next']);
  });

  it('lets a main-thread transaction that reads, then writes, finish while the thread writes', async () => {
    await thread.run([{ sql: INSERT, parameters: [1, 'before'] }]);
    let threadWrite: Promise<void> | undefined;
    await database.handle.transaction().execute(async (transaction) => {
      const { rows } = await sql<{ n: number }>`select count(*) as n from notes`.execute(transaction);
      // The thread commits while this transaction is open: it waits for the write lock the transaction took as it began.
      threadWrite = thread.run([{ sql: INSERT, parameters: [2, 'from the thread'] }]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await sql`insert into notes (id, body) values (${10 + rows[0]!.n}, ${'from the main thread'})`.execute(transaction);
    });
    await threadWrite;
    expect(await bodies()).toEqual(['before', 'from the thread', 'from the main thread']);
  });

  it('finishes the batches in flight when closed, and refuses later ones', async () => {
    const inFlight = thread.run([{ sql: INSERT, parameters: [1, 'in flight'] }]);
    await thread.close();
    await expect(inFlight).resolves.toBeUndefined();
    await expect(thread.run([{ sql: INSERT, parameters: [2, 'too late'] }])).rejects.toThrow(/closed/);
    expect(await bodies()).toEqual(['in flight']);
  });
});
