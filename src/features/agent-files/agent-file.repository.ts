import type { Selectable } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/database.js';
import type { AgentFilesTable } from './agent-file.table.js';

export type AgentFileRow = Selectable<AgentFilesTable>;
/** An agent file without its text, which can be long and only add-to-assistant reads. */
export type AgentFileMetadata = Omit<AgentFileRow, 'text'>;

const METADATA_COLUMNS = [
  'id',
  'org_id',
  'agent_id',
  'name',
  'mime_type',
  'size_bytes',
  'blob_key',
  'text_truncated',
  'collection_id',
  'document_id',
  'created_by_key_id',
  'created_at',
  'updated_at',
] as const;

export async function insertAgentFile(db: DatabaseHandle, row: AgentFileRow): Promise<void> {
  await db.insertInto('agent_files').values(row).execute();
}

/** A file of the agent: another agent's or organization's is not found. */
export async function findAgentFile(db: DatabaseHandle, orgId: string, agentId: string, id: string): Promise<AgentFileMetadata | undefined> {
  return db
    .selectFrom('agent_files')
    .select(METADATA_COLUMNS)
    .where('org_id', '=', orgId)
    .where('agent_id', '=', agentId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findAgentFileWithText(db: DatabaseHandle, orgId: string, agentId: string, id: string): Promise<AgentFileRow | undefined> {
  return db
    .selectFrom('agent_files')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('agent_id', '=', agentId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** One page of the agent's files, newest first (id breaks ties), and how many it has in all. */
export async function listAgentFiles(
  db: DatabaseHandle,
  orgId: string,
  agentId: string,
  page: { readonly offset: number; readonly limit: number },
): Promise<{ items: AgentFileMetadata[]; total: number }> {
  const [items, count] = await Promise.all([
    db
      .selectFrom('agent_files')
      .select(METADATA_COLUMNS)
      .where('org_id', '=', orgId)
      .where('agent_id', '=', agentId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('agent_files')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('org_id', '=', orgId)
      .where('agent_id', '=', agentId)
      .executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.count) };
}

export interface DocumentLink {
  readonly collection_id: string;
  readonly document_id: string;
  readonly updated_at: string;
}

/** Records the document made of the file; 0 when the file is gone meanwhile. */
export async function linkAgentFileDocument(db: DatabaseHandle, orgId: string, id: string, link: DocumentLink): Promise<number> {
  const result = await db.updateTable('agent_files').set(link).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function deleteAgentFile(db: DatabaseHandle, orgId: string, id: string): Promise<number> {
  const result = await db.deleteFrom('agent_files').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The collection the agent's files go to, if it has one yet. */
export async function findAgentFileCollection(db: DatabaseHandle, orgId: string, agentId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('agent_file_collections')
    .select('collection_id')
    .where('org_id', '=', orgId)
    .where('agent_id', '=', agentId)
    .executeTakeFirst();
  return row?.collection_id;
}

/**
 * Makes `collectionId` the agent's files collection unless another request
 * did so first; returns the collection that holds the place either way.
 */
export async function claimAgentFileCollection(db: DatabaseHandle, orgId: string, agentId: string, collectionId: string, now: string): Promise<string> {
  await db
    .insertInto('agent_file_collections')
    .values({ org_id: orgId, agent_id: agentId, collection_id: collectionId, created_at: now })
    .onConflict((conflict) => conflict.columns(['org_id', 'agent_id']).doNothing())
    .execute();
  return (await findAgentFileCollection(db, orgId, agentId)) ?? collectionId;
}
