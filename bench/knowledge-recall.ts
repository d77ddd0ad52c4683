/**
 * Issue 6, retrieval quality: on a corpus with known answers, recall@10 of
 * vector-only, full-text-only and hybrid search; hybrid must beat both.
 *
 * The corpus (bench/knowledge-recall-corpus.ts) is the support knowledge base of
 * a fictional appliance maker, with queries of three kinds: identifiers (model,
 * part and error codes), keywords, and paraphrases sharing few words with their
 * answer. In-process, no server: a fresh migrated database (SQLite in a
 * temporary directory; PostgreSQL as well when BENCH_DATABASE_URL is set, in a
 * schema of its own dropped afterwards) gets one collection whose documents are
 * inserted Queued and indexed by the real pipeline (DocumentIndexer: chunking,
 * the built-in embedding model, full-text index). Each query then runs through
 * `KnowledgeSearch.search` (the code behind POST /api/v1/query) in each mode,
 * top 10, no minimum score.
 *
 * Figures: recall@10 (the share of a query's relevant documents in its top 10,
 * averaged over queries) and MRR@10 (1 / rank of the first relevant document,
 * 0 if none is in the top 10), per query kind and overall. Every query that some
 * mode does not answer fully is listed with each mode's result, so a regression
 * or an improvement can be traced to queries.
 *
 *   node --import tsx bench/knowledge-recall.ts
 */
import { performance } from 'node:perf_hooks';
import { queuedRow } from '../src/features/knowledge/document-record.js';
import { LocalEmbedder } from '../src/features/knowledge/embeddings/index.js';
import { DocumentIndexer } from '../src/features/knowledge/indexing/document-indexer.js';
import { KnowledgeSearch, type SearchMode } from '../src/features/knowledge/search/knowledge-search.js';
import type { Database } from '../src/platform/db/database.js';
import { newId } from '../src/platform/ids.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { knowledgeRecallCorpus, type QueryKind, type RecallCorpus, type RecallQuery } from './knowledge-recall-corpus.js';
import { type BenchResult, type Check, check, isMain, machineLoad, runStandalone } from './support.js';
import { type BenchDialect, insertBenchCollection, insertBenchOrganization, openFreshDatabase } from './bench-data.js';

/** "Hybrid beats X": hybrid's recall@10 minus X's, in percentage points, at least this. */
export const RECALL_MARGIN_BUDGET_PP = 0.1;

const TOP = 10;
const MODES: readonly SearchMode[] = ['vector', 'fullText', 'hybrid'];
const KINDS: readonly QueryKind[] = ['identifier', 'keyword', 'paraphrase'];

type Dialect = BenchDialect;

export interface KnowledgeRecallOptions {
  readonly postgresUrl?: string;
}

/** One query's outcome in one mode. */
interface QueryOutcome {
  readonly recall: number;
  /** Rank (1-based) of the first relevant document in the top 10; undefined when none is. */
  readonly firstRank: number | undefined;
  /** Name of the top hit, to show what a missed query found instead. */
  readonly top: string | undefined;
}

interface DialectFigures {
  readonly dialect: Dialect;
  readonly indexMs: number;
  readonly chunks: number;
  readonly searchMs: number;
  /** Per mode, one outcome per query, in the corpus's order. */
  readonly outcomes: ReadonlyMap<SearchMode, readonly QueryOutcome[]>;
}

/** An organization, an empty collection, and every document of the corpus as a Queued row, named by its slug. */
async function insertCorpus(database: Database, corpus: RecallCorpus): Promise<{ orgId: string; collectionId: string }> {
  const db = database.handle;
  const now = new Date().toISOString();
  const orgId = await insertBenchOrganization(database, now);
  const collectionId = await insertBenchCollection(database, orgId, now, { name: 'halvard-support' });
  const rows = corpus.documents.map((document) =>
    queuedRow(
      { name: document.id, contents: `# ${document.title}\n\n${document.body}`, reference: null, tags: [], metadata: {} },
      { id: newId(), orgId, collectionId, now },
    ),
  );
  for (let first = 0; first < rows.length; first += 100) await db.insertInto('documents').values(rows.slice(first, first + 100)).execute();
  return { orgId, collectionId };
}

async function indexAll(database: Database, embedder: LocalEmbedder, orgId: string, collectionId: string, expected: number): Promise<void> {
  const indexer = new DocumentIndexer({
    db: database.handle,
    dialect: database.dialect,
    embedders: { forModel: () => Promise.resolve(embedder) },
    defaultModel: 'local',
    logger: createLogger('silent'),
    leaseMs: 60_000,
    batchSize: 64,
  });
  const signal = new AbortController().signal;
  let indexed = 0;
  for (;;) {
    const run = await indexer.indexCollection(orgId, collectionId, { maxDocuments: 100_000, signal });
    if (run.failed > 0) throw new Error(`${run.failed} documents failed to index`);
    indexed += run.indexed;
    if (!run.more) break;
  }
  if (indexed !== expected) throw new Error(`indexed ${indexed} documents of ${expected}`);
}

function outcomeOf(query: RecallQuery, names: readonly string[]): QueryOutcome {
  const relevant = new Set(query.relevant);
  const found = names.filter((name) => relevant.has(name)).length;
  const index = names.findIndex((name) => relevant.has(name));
  return { recall: found / relevant.size, firstRank: index < 0 ? undefined : index + 1, top: names[0] };
}

async function measure(dialect: Dialect, corpus: RecallCorpus, embedder: LocalEmbedder, postgresUrl: string | undefined): Promise<DialectFigures> {
  const { database, drop } = await openFreshDatabase(dialect, postgresUrl);
  try {
    const { orgId, collectionId } = await insertCorpus(database, corpus);
    const indexStarted = performance.now();
    await indexAll(database, embedder, orgId, collectionId, corpus.documents.length);
    const indexMs = performance.now() - indexStarted;
    const chunkCount = await database.handle.selectFrom('chunks').select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();

    const search = new KnowledgeSearch({ db: database.handle, dialect, embedders: { forModel: () => Promise.resolve(embedder) } });
    const outcomes = new Map<SearchMode, QueryOutcome[]>();
    const searchStarted = performance.now();
    for (const mode of MODES) {
      const list: QueryOutcome[] = [];
      for (const query of corpus.queries) {
        const hits = await search.search(orgId, { terms: [query.text], collectionIds: [collectionId], top: TOP, minScore: 0, includeReferences: false, mode });
        list.push(outcomeOf(query, hits.map((hit) => hit.documentName)));
      }
      outcomes.set(mode, list);
    }
    return { dialect, indexMs, chunks: Number(chunkCount.count), searchMs: performance.now() - searchStarted, outcomes };
  } finally {
    await drop();
  }
}

interface Score {
  readonly recall: number;
  readonly mrr: number;
}

function score(outcomes: readonly QueryOutcome[], queries: readonly RecallQuery[], kind?: QueryKind): Score {
  const picked = outcomes.filter((_, index) => kind === undefined || queries[index]?.kind === kind);
  const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  return { recall: mean(picked.map((outcome) => outcome.recall)), mrr: mean(picked.map((outcome) => (outcome.firstRank ? 1 / outcome.firstRank : 0))) };
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`.padStart(7);

/** The table: one row per mode, recall@10 and MRR@10 by kind and overall. */
function table(figures: DialectFigures, queries: readonly RecallQuery[]): string[] {
  const columns = [...KINDS.map((kind) => `${kind} (${queries.filter((query) => query.kind === kind).length})`), `all (${queries.length})`];
  const lines = [`  ${'mode'.padEnd(9)} ${columns.map((column) => column.padStart(19)).join(' ')}    (recall@10 / MRR@10)`];
  for (const mode of MODES) {
    const outcomes = figures.outcomes.get(mode) ?? [];
    const cells = [...KINDS, undefined].map((kind) => {
      const { recall, mrr } = score(outcomes, queries, kind);
      return `${percent(recall)} / ${mrr.toFixed(2)}`.padStart(19);
    });
    lines.push(`  ${mode.padEnd(9)} ${cells.join(' ')}`);
  }
  return lines;
}

/** Every query some mode does not answer fully, with each mode's recall, first relevant rank and top hit. */
function misses(figures: DialectFigures, queries: readonly RecallQuery[]): string[] {
  const lines: string[] = [];
  queries.forEach((query, index) => {
    const results = MODES.map((mode) => [mode, figures.outcomes.get(mode)?.[index]] as const);
    if (results.every(([, outcome]) => outcome !== undefined && outcome.recall === 1)) return;
    const cells = results.map(([mode, outcome]) => {
      if (!outcome) return `${mode} -`;
      const found = Math.round(outcome.recall * query.relevant.length);
      return `${mode} ${found}/${query.relevant.length}${outcome.firstRank ? ` @${outcome.firstRank}` : ` (top: ${outcome.top ?? 'nothing'})`}`;
    });
    lines.push(`    [${query.kind}] "${query.text}" → ${query.relevant.join(', ')}: ${cells.join('; ')}`);
  });
  return lines;
}

export async function runKnowledgeRecall(options: KnowledgeRecallOptions = {}): Promise<BenchResult> {
  const postgresUrl = options.postgresUrl ?? process.env.BENCH_DATABASE_URL;
  const corpus = knowledgeRecallCorpus();
  const dialects: Dialect[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];
  const info = [`${corpus.documents.length} documents, ${corpus.queries.length} queries, top ${TOP}, built-in embedding model; ${machineLoad()}`];
  if (!postgresUrl) info.push('PostgreSQL: not measured (set BENCH_DATABASE_URL)');
  const checks: Check[] = [];
  const embedder = new LocalEmbedder({ workers: 2 });
  try {
    for (const dialect of dialects) {
      const figures = await measure(dialect, corpus, embedder, postgresUrl);
      const searches = corpus.queries.length * MODES.length;
      info.push(
        `${dialect}: indexed ${figures.chunks} chunks in ${(figures.indexMs / 1000).toFixed(1)} s; ${searches} searches in ${(figures.searchMs / 1000).toFixed(1)} s`,
        ...table(figures, corpus.queries),
        `  queries not fully answered by every mode (@rank of the first relevant hit):`,
        ...misses(figures, corpus.queries),
      );
      const hybrid = score(figures.outcomes.get('hybrid') ?? [], corpus.queries).recall;
      for (const other of ['vector', 'fullText'] as const) {
        const margin = (hybrid - score(figures.outcomes.get(other) ?? [], corpus.queries).recall) * 100;
        checks.push(check(`knowledge-recall ${dialect} hybrid recall@10 − ${other}`, margin, 'pp', '>=', RECALL_MARGIN_BUDGET_PP, 1));
      }
    }
  } finally {
    await embedder.close();
  }
  return { name: 'knowledge-recall', info, checks };
}

if (isMain(import.meta.url)) await runStandalone(() => runKnowledgeRecall());
