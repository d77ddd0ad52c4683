import { type CompiledQuery, type Selectable, type Updateable, sql } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { OrganizationsTable } from './organization.table.js';

export type OrganizationRow = Selectable<OrganizationsTable>;

export async function insertOrganization(db: DatabaseHandle, row: OrganizationRow): Promise<void> {
  await db.insertInto('organizations').values(row).execute();
}

/**
 * Runs on nearly every request, so it is a plain SQL template: Kysely's query
 * builder costs more CPU here than SQLite does.
 */
export async function findOrganization(db: DatabaseHandle, id: string): Promise<OrganizationRow | undefined> {
  const result = await sql<OrganizationRow>`select * from organizations where id = ${id}`.execute(db);
  return result.rows[0];
}

export async function listOrganizations(db: DatabaseHandle): Promise<OrganizationRow[]> {
  return db.selectFrom('organizations').selectAll().orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
}

export async function countOrganizations(db: DatabaseHandle): Promise<number> {
  const row = await db
    .selectFrom('organizations')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function updateOrganization(
  db: DatabaseHandle,
  id: string,
  changes: Updateable<OrganizationsTable>,
): Promise<void> {
  await db.updateTable('organizations').set(changes).where('id', '=', id).execute();
}

/**
 * The UPDATE that deducts spending, compiled for whichever connection runs it
 * (the usage batch's). Spending only counts against a balance the operator set
 * (balance_limited = 1).
 */
export function balanceDeduction(db: DatabaseHandle, id: string, amount: number): CompiledQuery {
  return db
    .updateTable('organizations')
    .set((eb) => ({ balance: eb('balance', '-', amount) }))
    .where('id', '=', id)
    .where('balance_limited', '=', 1)
    .compile();
}
