import type { Selectable } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { ApiKeysTable } from './api-key.table.js';

export type ApiKeyRow = Selectable<ApiKeysTable>;

export async function insertApiKey(db: DatabaseHandle, row: ApiKeyRow): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

export async function findApiKeyByHash(db: DatabaseHandle, keyHash: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

export async function findApiKey(
  db: DatabaseHandle,
  orgId: string,
  id: string,
  agentId: string | null,
): Promise<ApiKeyRow | undefined> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('agent_id', agentId === null ? 'is' : '=', agentId)
    .executeTakeFirst();
}

/** Keys of one scope: organization-wide (`agentId` null) or one agent's. */
export async function listApiKeys(db: DatabaseHandle, orgId: string, agentId: string | null): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('agent_id', agentId === null ? 'is' : '=', agentId)
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
}

/** Every key of an organization, whatever its scope: the operator's view. */
export async function listAllApiKeys(db: DatabaseHandle, orgId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
}

export async function deleteApiKey(db: DatabaseHandle, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('api_keys').where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function updateApiKeyUsedAt(db: DatabaseHandle, id: string, usedAt: string): Promise<void> {
  await db.updateTable('api_keys').set({ used_at: usedAt }).where('id', '=', id).execute();
}

/** Replaces a key's secret in place: same id, label and expiry, so the rotation keeps its history. */
export async function updateApiKeySecret(
  db: DatabaseHandle,
  orgId: string,
  id: string,
  secret: Pick<ApiKeyRow, 'key_hash' | 'last_chars'>,
): Promise<void> {
  await db.updateTable('api_keys').set(secret).where('org_id', '=', orgId).where('id', '=', id).execute();
}
