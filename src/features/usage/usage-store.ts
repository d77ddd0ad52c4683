import { CompiledQuery } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { SqliteWriteThread, WriteParameter, WriteStatement } from '../../platform/db/sqlite-write-thread.js';
import { type UsageRecordRow, usageInserts } from './usage.repository.js';

/** Where a batch of usage records goes: all of it, with the balance deductions, in one transaction, or none of it. */
export interface UsageStore {
  write(rows: readonly UsageRecordRow[], spending: ReadonlyMap<string, number>): Promise<void>;
}

/** Organizations' balances, as a usage batch deducts from them. */
export interface UsageBalances {
  /** The statement that deducts an organization's spending. */
  deduction(orgId: string, amount: number): CompiledQuery;
  /** Told once a batch that deducted an organization's spending is committed. */
  deducted(orgId: string): void;
}

/** PostgreSQL: the batch is one transaction on the shared pool (the database server does the work). */
export function databaseUsageStore(db: DatabaseHandle, balances: UsageBalances): UsageStore {
  return {
    async write(rows, spending) {
      await db.transaction().execute(async (transaction) => {
        for (const { sql, parameters } of usageInserts(transaction, rows)) await transaction.executeQuery(CompiledQuery.raw(sql, parameters));
        for (const [orgId, amount] of spending) await transaction.executeQuery(balances.deduction(orgId, amount));
      });
      for (const orgId of spending.keys()) balances.deducted(orgId);
    },
  };
}

/**
 * SQLite: the batch runs on the write thread's own connection. On the main
 * thread, better-sqlite3 would bind and insert every record synchronously,
 * and under load that was among the largest parts of a gateway call's time there.
 */
export function threadUsageStore(db: DatabaseHandle, thread: SqliteWriteThread, balances: UsageBalances): UsageStore {
  // Only the SQL and its parameters cross to the thread, not Kysely's query tree. Usage rows
  // and the balance deduction hold only strings, numbers and nulls (see UsageRecordRow).
  const plain = ({ sql, parameters }: CompiledQuery): WriteStatement => ({ sql, parameters: parameters as readonly WriteParameter[] });
  return {
    async write(rows, spending) {
      const statements: WriteStatement[] = usageInserts(db, rows);
      for (const [orgId, amount] of spending) statements.push(plain(balances.deduction(orgId, amount)));
      await thread.run(statements);
      for (const orgId of spending.keys()) balances.deducted(orgId);
    },
  };
}
