import type { Selectable, Updateable } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { SkillsTable } from './skill.table.js';

export type SkillRow = Selectable<SkillsTable>;
export type SkillSummaryRow = Pick<SkillRow, 'id' | 'slug' | 'description' | 'allowed_tools_names' | 'created_at'>;

/** Keeps `in (...)` lists and multi-row inserts well under SQLite's bound-parameter limit. */
const CHUNK = 100;

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += CHUNK) result.push(items.slice(start, start + CHUNK));
  return result;
}

export async function insertSkills(db: DatabaseHandle, rows: readonly SkillRow[]): Promise<void> {
  for (const chunk of chunks(rows)) await db.insertInto('skills').values(chunk).execute();
}

export async function findSkill(db: DatabaseHandle, orgId: string, id: string): Promise<SkillRow | undefined> {
  return db.selectFrom('skills').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function findSkillsBySlugs(db: DatabaseHandle, orgId: string, slugs: readonly string[]): Promise<SkillRow[]> {
  const found: SkillRow[] = [];
  for (const chunk of chunks(slugs)) {
    found.push(...(await db.selectFrom('skills').selectAll().where('org_id', '=', orgId).where('slug', 'in', chunk).execute()));
  }
  return found;
}

/** Which of `slugs` the organization already uses. */
export async function findTakenSlugs(db: DatabaseHandle, orgId: string, slugs: readonly string[]): Promise<Set<string>> {
  const taken = new Set<string>();
  for (const chunk of chunks(slugs)) {
    const rows = await db.selectFrom('skills').select('slug').where('org_id', '=', orgId).where('slug', 'in', chunk).execute();
    for (const row of rows) taken.add(row.slug);
  }
  return taken;
}

/** The catalog columns only: instructions can be long and the list does not show them. */
export async function listSkillSummaries(db: DatabaseHandle, orgId: string): Promise<SkillSummaryRow[]> {
  return db
    .selectFrom('skills')
    .select(['id', 'slug', 'description', 'allowed_tools_names', 'created_at'])
    .where('org_id', '=', orgId)
    .orderBy('slug')
    .execute();
}

/** One page of whole skills after `afterSlug`, by slug, for exports that must not hold every row at once. */
export async function listSkillPage(db: DatabaseHandle, orgId: string, afterSlug: string | undefined, limit: number): Promise<SkillRow[]> {
  let query = db.selectFrom('skills').selectAll().where('org_id', '=', orgId);
  if (afterSlug !== undefined) query = query.where('slug', '>', afterSlug);
  return query.orderBy('slug').limit(limit).execute();
}

export async function updateSkill(db: DatabaseHandle, orgId: string, id: string, changes: Updateable<SkillsTable>): Promise<void> {
  await db.updateTable('skills').set(changes).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deleteSkills(db: DatabaseHandle, orgId: string, ids: readonly string[]): Promise<void> {
  for (const chunk of chunks(ids)) await db.deleteFrom('skills').where('org_id', '=', orgId).where('id', 'in', chunk).execute();
}
