import { sql } from 'kysely';
import type { DatabaseHandle } from '../../../platform/db/database.js';
import type { Dialect } from '../../../platform/db/dialect.js';

/**
 * Words that match nearly every chunk: left out of keyword queries so that an OR
 * over a question's words ranks by the words that carry its meaning (PostgreSQL's
 * english configuration drops these itself; FTS5 has no stop list).
 */
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by can could did do does for from had has have how i if in into is it its me my no not of on or our ' +
    'should so than that the their them then there these they this to was we were what when where which who whom why will with would you your'
  ).split(' '),
);

const MAX_QUERY_WORDS = 32;

/** The query's distinct words, lower-cased, without stop words: letters and digits only, so they are safe in either query syntax. */
export function keywordsOf(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.filter((word) => !STOP_WORDS.has(word)))].slice(0, MAX_QUERY_WORDS);
}

/**
 * Chunks of the collections matching any of the keywords, best first: FTS5's bm25
 * on SQLite, ts_rank_cd over the stored tsvector on PostgreSQL. Only the order is
 * used (reciprocal rank fusion), so the two rankings need not share a scale.
 */
export async function searchFullText(
  db: DatabaseHandle,
  dialect: Dialect,
  orgId: string,
  collectionIds: readonly string[],
  keywords: readonly string[],
  limit: number,
): Promise<number[]> {
  if (keywords.length === 0 || collectionIds.length === 0) return [];
  if (dialect === 'postgres') {
    const query = keywords.join(' | ');
    const result = await sql<{ seq: string | number }>`
      select seq from chunks, to_tsquery('english', ${query}) as query
      where org_id = ${orgId} and collection_id in (${sql.join(collectionIds)}) and search @@ query
      order by ts_rank_cd(search, query) desc, seq
      limit ${limit}`.execute(db);
    return result.rows.map((row) => Number(row.seq));
  }
  const query = keywords.map((word) => `"${word}"`).join(' OR ');
  const result = await sql<{ seq: number }>`
    select chunks.seq as seq from chunks_fts join chunks on chunks.seq = chunks_fts.rowid
    where chunks_fts match ${query} and chunks.org_id = ${orgId} and chunks.collection_id in (${sql.join(collectionIds)})
    order by bm25(chunks_fts), chunks.seq
    limit ${limit}`.execute(db);
  return result.rows.map((row) => Number(row.seq));
}
