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
 * A keyword matching more chunks than this is too common to rank by: an OR over it
 * would score a large share of the index on every search (hundreds of milliseconds
 * at 100,000 chunks), and BM25 gives it little weight anyway.
 */
const COMMON_MATCHES = 1_000;
/** When every keyword is common, chunks must hold them all; past this many such chunks, ranking them is not worth its time. */
const MAX_RANKED_MATCHES = 5_000;

/**
 * Chunks of the collections matching the keywords, best first: FTS5's bm25 on
 * SQLite, ts_rank_cd over the stored tsvector on PostgreSQL. Only the order is used
 * (reciprocal rank fusion), so the two rankings need not share a scale.
 *
 * Rare keywords are OR-ed, as a search engine would; common ones are left out of
 * the OR. When every keyword is common, chunks must hold them all (AND), and if
 * even that matches too many, the keywords say too little to rank by and the
 * vector ranking alone decides. Every search thus scores a bounded number of chunks.
 */
export async function searchFullText(
  db: DatabaseHandle,
  dialect: Dialect,
  orgId: string,
  collectionIds: readonly string[],
  keywords: readonly string[],
  limit: number,
): Promise<FullTextHit[]> {
  if (keywords.length === 0 || collectionIds.length === 0) return [];
  const search = dialect === 'postgres' ? postgresSearch(db, orgId, collectionIds) : sqliteSearch(db, orgId, collectionIds);
  const counts = await search.count(keywords.map((keyword) => [keyword]), 'or', COMMON_MATCHES + 1);
  const present = keywords.filter((_, index) => (counts[index] ?? 0) > 0);
  if (present.length === 0) return [];
  const rare = keywords.filter((_, index) => (counts[index] ?? 0) > 0 && (counts[index] ?? 0) <= COMMON_MATCHES);
  if (rare.length > 0) return search.rank(rare, 'or', limit);
  const [together] = await search.count([present], 'and', MAX_RANKED_MATCHES + 1);
  return (together ?? 0) > 0 && (together ?? 0) <= MAX_RANKED_MATCHES ? search.rank(present, 'and', limit) : [];
}

/** A ranked chunk with its text (the fusion weighs it by the keywords it holds). */
export interface FullTextHit {
  readonly seq: number;
  readonly content: string;
}

interface DialectSearch {
  /** For each group of keywords, how many chunks of the collections match it (up to `cap`), in one statement. */
  count(groups: readonly (readonly string[])[], operator: 'or' | 'and', cap: number): Promise<number[]>;
  rank(keywords: readonly string[], operator: 'or' | 'and', limit: number): Promise<FullTextHit[]>;
}

/** FTS5 finds a collection's chunks by their `scope` token, so matching, counting and ranking stay inside the index. */
function sqliteSearch(db: DatabaseHandle, orgId: string, collectionIds: readonly string[]): DialectSearch {
  const scope = `scope : (${collectionIds.map((id) => `"c${id.replaceAll('-', '')}"`).join(' OR ')})`;
  const match = (keywords: readonly string[], operator: 'or' | 'and') =>
    `${scope} AND (${keywords.map((word) => `"${word}"`).join(operator === 'or' ? ' OR ' : ' AND ')})`;
  return {
    async count(groups, operator, cap) {
      const counts = groups.map(
        (group, index) => sql`select ${index} as position, count(*) as matches from (select 1 from chunks_fts where chunks_fts match ${match(group, operator)} limit ${cap})`,
      );
      const result = await sql<{ position: number; matches: number }>`${sql.join(counts, sql` union all `)}`.execute(db);
      return positions(groups.length, result.rows);
    },
    async rank(keywords, operator, limit) {
      // The organization is checked on the few ranked rows (collection ids are the organization's already).
      const result = await sql<{ seq: number; content: string }>`
        select ranked.rowid as seq, chunks.content as content from (
          select rowid, bm25(chunks_fts, 1.0, 0.0) as score from chunks_fts where chunks_fts match ${match(keywords, operator)}
          order by score limit ${limit}
        ) as ranked join chunks on chunks.seq = ranked.rowid
        where chunks.org_id = ${orgId}
        order by ranked.score, ranked.rowid`.execute(db);
      return result.rows.map((row) => ({ seq: Number(row.seq), content: row.content }));
    },
  };
}

function postgresSearch(db: DatabaseHandle, orgId: string, collectionIds: readonly string[]): DialectSearch {
  const tsquery = (keywords: readonly string[], operator: 'or' | 'and') => keywords.join(operator === 'or' ? ' | ' : ' & ');
  return {
    async count(groups, operator, cap) {
      const counts = groups.map(
        (group, index) => sql`select ${index}::int as position, count(*) as matches from (
          select 1 from chunks where collection_id in (${sql.join(collectionIds)}) and search @@ to_tsquery('english', ${tsquery(group, operator)}) limit ${cap}
        ) as found`,
      );
      const result = await sql<{ position: number; matches: string | number }>`${sql.join(counts, sql` union all `)}`.execute(db);
      return positions(groups.length, result.rows);
    },
    async rank(keywords, operator, limit) {
      const result = await sql<{ seq: string | number; content: string }>`
        select seq, content from chunks, to_tsquery('english', ${tsquery(keywords, operator)}) as query
        where org_id = ${orgId} and collection_id in (${sql.join(collectionIds)}) and search @@ query
        order by ts_rank_cd(search, query) desc, seq
        limit ${limit}`.execute(db);
      return result.rows.map((row) => ({ seq: Number(row.seq), content: row.content }));
    },
  };
}

function positions(length: number, rows: readonly { position: number; matches: string | number }[]): number[] {
  const byPosition = new Array<number>(length).fill(0);
  for (const row of rows) byPosition[Number(row.position)] = Number(row.matches);
  return byPosition;
}
