import type { Selectable, Updateable } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { ConnectionsTable } from './connection.table.js';

export type ConnectionRow = Selectable<ConnectionsTable>;

export async function insertConnection(db: DatabaseHandle, row: ConnectionRow): Promise<void> {
  await db.insertInto('connections').values(row).execute();
}

export async function findConnection(db: DatabaseHandle, orgId: string, id: string): Promise<ConnectionRow | undefined> {
  return db.selectFrom('connections').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function findConnectionByName(db: DatabaseHandle, orgId: string, name: string): Promise<ConnectionRow | undefined> {
  return db.selectFrom('connections').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst();
}

/** All of an organization's connections; organizations have few, so filtering and paging happen in the service. */
export async function listConnections(db: DatabaseHandle, orgId: string): Promise<ConnectionRow[]> {
  return db.selectFrom('connections').selectAll().where('org_id', '=', orgId).orderBy('name').execute();
}

export async function updateConnection(
  db: DatabaseHandle,
  orgId: string,
  id: string,
  changes: Updateable<ConnectionsTable>,
): Promise<void> {
  await db.updateTable('connections').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function clearDefaultConnection(db: DatabaseHandle, orgId: string): Promise<void> {
  await db.updateTable('connections').set({ is_default: 0 }).where('org_id', '=', orgId).where('is_default', '=', 1).execute();
}

export async function deleteConnection(db: DatabaseHandle, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('connections').where('org_id', '=', orgId).where('id', '=', id).execute();
}
