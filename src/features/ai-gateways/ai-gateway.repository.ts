import type { Selectable, Updateable } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { AiGatewaysTable } from './ai-gateway.table.js';

export type AiGatewayRow = Selectable<AiGatewaysTable>;

export async function insertAiGateway(db: DatabaseHandle, row: AiGatewayRow): Promise<void> {
  await db.insertInto('ai_gateways').values(row).execute();
}

export async function findAiGateway(db: DatabaseHandle, orgId: string, id: string): Promise<AiGatewayRow | undefined> {
  return db.selectFrom('ai_gateways').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function findAiGatewayBySlug(db: DatabaseHandle, orgId: string, slug: string): Promise<AiGatewayRow | undefined> {
  return db.selectFrom('ai_gateways').selectAll().where('org_id', '=', orgId).where('slug', '=', slug).executeTakeFirst();
}

/** All of an organization's gateways; organizations have few, so the `filter` (which looks into parameters) runs in the service. */
export async function listAiGateways(db: DatabaseHandle, orgId: string): Promise<AiGatewayRow[]> {
  return db.selectFrom('ai_gateways').selectAll().where('org_id', '=', orgId).orderBy('name').orderBy('id').execute();
}

/** Which of `ids` name gateways of the organization. */
export async function findExistingAiGatewayIds(db: DatabaseHandle, orgId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('ai_gateways').select('id').where('org_id', '=', orgId).where('id', 'in', [...ids]).execute();
  return new Set(rows.map((row) => row.id));
}

/** Every slug the organization uses, to derive a free one from a name. */
export async function listSlugs(db: DatabaseHandle, orgId: string): Promise<string[]> {
  const rows = await db.selectFrom('ai_gateways').select('slug').where('org_id', '=', orgId).execute();
  return rows.map((row) => row.slug);
}

export async function updateAiGateway(
  db: DatabaseHandle,
  orgId: string,
  id: string,
  changes: Updateable<AiGatewaysTable>,
): Promise<void> {
  await db.updateTable('ai_gateways').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deleteAiGateway(db: DatabaseHandle, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('ai_gateways').where('org_id', '=', orgId).where('id', '=', id).execute();
}
