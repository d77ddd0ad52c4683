import type { DatabaseHandle } from '../../../platform/db/database.js';
import type { Dialect } from '../../../platform/db/dialect.js';
import { NotFoundError } from '../../../platform/errors.js';
import {
  type ChunkHitRow,
  findChunkEmbeddings,
  findChunkHits,
  findReferencedDocuments,
  listCollectionSignatures,
} from '../chunk.repository.js';
import type { EmbedderSource } from '../indexing/document-indexer.js';
import { dot, embeddingFromBytes, signatureBytes } from '../indexing/vector-encoding.js';
import { keywordsOf, searchFullText } from './full-text-search.js';
import { SignatureIndex } from './signature-index.js';

export interface KnowledgeQuery {
  /** Each term is searched on its own; a chunk scores its best over the terms. */
  readonly terms: readonly string[];
  readonly collectionIds: readonly string[];
  readonly top: number;
  readonly minScore: number;
  readonly includeReferences: boolean;
  /** Which rankings to use: both (the default), or one alone, to compare them. */
  readonly mode?: SearchMode;
}

export type SearchMode = 'hybrid' | 'vector' | 'fullText';

export interface ReferencedDocument {
  readonly documentId: string;
  readonly documentContent: string;
}

export interface KnowledgeHit {
  readonly documentId: string;
  readonly documentName: string;
  readonly collectionId: string;
  /** The best-matching chunk of the document. */
  readonly content: string;
  readonly headings: readonly string[];
  readonly position: number;
  readonly score: number;
  readonly reference: string | null;
  readonly metadata: Record<string, unknown>;
  readonly referencedDocuments?: readonly ReferencedDocument[];
}

export interface KnowledgeSearchOptions {
  readonly db: DatabaseHandle;
  readonly dialect: Dialect;
  readonly embedders: EmbedderSource;
  /** Collections whose signatures stay in memory. */
  readonly cachedCollections?: number;
}

/** The k of reciprocal rank fusion: 60, as in Cormack et al. and most hybrid search engines. */
const RRF_K = 60;
/** Chunks each ranked list contributes to the fusion. */
const LIST_SIZE = 50;
/** Hamming candidates rescored exactly, at least. */
const MIN_RESCORED = 256;
const MAX_REFERENCED_DOCUMENTS = 10;

interface SearchedCollection {
  readonly id: string;
  readonly index_version: number;
  readonly vectors_model: string | null;
}

/**
 * Hybrid retrieval: vector similarity (a Hamming pre-ranking over sign bits held in
 * memory, rescored exactly with the stored vectors) fused with the database's
 * full-text ranking by reciprocal rank fusion, weighted by evidence (see `fuse`),
 * so scores mean the same on either database.
 */
export class KnowledgeSearch {
  private readonly signatures = new Map<string, Promise<SignatureIndex>>();
  private readonly cachedCollections: number;

  constructor(private readonly options: KnowledgeSearchOptions) {
    this.cachedCollections = options.cachedCollections ?? 256;
  }

  async search(orgId: string, query: KnowledgeQuery, signal?: AbortSignal): Promise<KnowledgeHit[]> {
    const collections = await this.collections(orgId, query.collectionIds);
    const terms = [...new Set(query.terms.map((term) => term.trim()).filter((term) => term !== ''))];
    if (terms.length === 0 || collections.length === 0) return [];
    const scores = new Map<number, number>();
    for (const term of terms) {
      const keywords = keywordsOf(term);
      const mode = query.mode ?? 'hybrid';
      const rankings = await Promise.all([
        ...(mode === 'fullText' ? [] : [this.vectorRanking(orgId, collections, term, signal)]),
        ...(mode === 'vector' ? [] : [this.textRanking(orgId, collections, keywords)]),
      ]);
      for (const [seq, score] of fuse(rankings)) scores.set(seq, Math.max(scores.get(seq) ?? 0, score));
    }
    const ranked = [...scores].filter(([, score]) => score >= query.minScore).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    // Several chunks of one document may rank; each document is returned once, so read enough chunks to fill `top` documents.
    const considered = ranked.slice(0, query.top * 4);
    const rows = new Map((await findChunkHits(this.options.db, orgId, considered.map(([seq]) => seq))).map((row) => [row.seq, row]));
    const hits: KnowledgeHit[] = [];
    const seen = new Set<string>();
    for (const [seq, score] of considered) {
      const row = rows.get(seq);
      if (!row || seen.has(row.document_id)) continue;
      seen.add(row.document_id);
      hits.push(toHit(row, score));
      if (hits.length === query.top) break;
    }
    return query.includeReferences ? this.withReferences(orgId, hits) : hits;
  }

  /** The org's collections among `ids`; any other id is a 404 naming it. */
  private async collections(orgId: string, ids: readonly string[]): Promise<SearchedCollection[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const rows = await this.options.db
      .selectFrom('collections')
      .select(['id', 'index_version', 'vectors_model'])
      .where('org_id', '=', orgId)
      .where('id', 'in', unique)
      .execute();
    const found = new Set(rows.map((row) => row.id));
    const missing = unique.find((id) => !found.has(id));
    if (missing !== undefined) throw new NotFoundError('Collection', missing);
    return rows.map((row) => ({ ...row, index_version: Number(row.index_version) }));
  }

  /** Full-text matches, best first, each weighted by the share of the query's keywords it holds. */
  private async textRanking(orgId: string, collections: readonly SearchedCollection[], keywords: readonly string[]): Promise<WeightedRanking> {
    const hits = await searchFullText(
      this.options.db,
      this.options.dialect,
      orgId,
      collections.map((collection) => collection.id),
      keywords,
      LIST_SIZE,
    );
    return hits.map((hit) => [hit.seq, keywordCoverage(keywords, hit.content)]);
  }

  /** Chunks by cosine similarity to the term, best first (weighted by it), for each group of collections sharing a model. */
  private async vectorRanking(orgId: string, collections: readonly SearchedCollection[], term: string, signal?: AbortSignal): Promise<WeightedRanking> {
    const byModel = new Map<string, SearchedCollection[]>();
    for (const collection of collections) {
      if (collection.vectors_model === null) continue;
      byModel.set(collection.vectors_model, [...(byModel.get(collection.vectors_model) ?? []), collection]);
    }
    const scored: [number, number][] = [];
    for (const [model, group] of byModel) {
      const embedder = await this.options.embedders.forModel(orgId, model);
      const [vector] = await embedder.embed([term], signal);
      if (!vector) continue;
      const signature = signatureBytes(vector);
      const candidates: number[] = [];
      for (const collection of group) {
        const index = await this.signatureIndex(collection);
        candidates.push(...index.nearest(signature, Math.max(MIN_RESCORED, LIST_SIZE * 4)));
      }
      for (const row of await findChunkEmbeddings(this.options.db, orgId, candidates)) {
        const similarity = dot(vector, embeddingFromBytes(row.embedding));
        if (similarity > 0) scored.push([row.seq, similarity]);
      }
    }
    return scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, LIST_SIZE);
  }

  /** The collection's signatures, reloaded when its index version moved on (a write on any node). */
  private signatureIndex(collection: SearchedCollection): Promise<SignatureIndex> {
    const cached = this.signatures.get(collection.id);
    if (cached) {
      this.signatures.delete(collection.id);
      const fresh = cached.then((index) => (index.version === collection.index_version ? index : this.load(collection)));
      this.remember(collection.id, fresh);
      return fresh;
    }
    const loading = this.load(collection);
    this.remember(collection.id, loading);
    return loading;
  }

  private async load(collection: SearchedCollection): Promise<SignatureIndex> {
    const rows = await listCollectionSignatures(this.options.db, collection.id);
    return SignatureIndex.build(collection.index_version, rows);
  }

  private remember(collectionId: string, index: Promise<SignatureIndex>): void {
    this.signatures.set(collectionId, index);
    // A failed load is not kept: the next search tries again.
    index.catch(() => this.signatures.get(collectionId) === index && this.signatures.delete(collectionId));
    while (this.signatures.size > this.cachedCollections) {
      const oldest = this.signatures.keys().next().value;
      if (oldest === undefined) break;
      this.signatures.delete(oldest);
    }
  }

  private async withReferences(orgId: string, hits: KnowledgeHit[]): Promise<KnowledgeHit[]> {
    const pairs = new Map<string, { collectionId: string; reference: string }>();
    for (const hit of hits) if (hit.reference !== null) pairs.set(`${hit.collectionId}\n${hit.reference}`, { collectionId: hit.collectionId, reference: hit.reference });
    const siblings = await findReferencedDocuments(this.options.db, orgId, [...pairs.values()], MAX_REFERENCED_DOCUMENTS + 1);
    return hits.map((hit) => ({
      ...hit,
      referencedDocuments:
        hit.reference === null
          ? []
          : siblings
              .filter((row) => row.collection_id === hit.collectionId && row.reference === hit.reference && row.id !== hit.documentId)
              .slice(0, MAX_REFERENCED_DOCUMENTS)
              .map((row) => ({ documentId: row.id, documentContent: row.contents })),
    }));
  }
}

/** Chunk seqs, best first, each with its evidence from 0 to 1 (cosine similarity, keyword coverage). */
export type WeightedRanking = readonly (readonly [seq: number, weight: number])[];

/**
 * Reciprocal rank fusion where each list's contribution is weighted by its evidence
 * (the chunk's cosine similarity, or the share of query keywords it holds), divided
 * by the best possible score (first in both lists with full evidence). Plain RRF
 * would give an irrelevant query's best vector match the same score as a perfect
 * match, leaving `minScore` nothing to filter on; the weights keep ranks deciding
 * the order while scores say how strong the evidence is.
 */
export function fuse(rankings: readonly WeightedRanking[]): Map<number, number> {
  const best = rankings.length / (RRF_K + 1);
  const scores = new Map<number, number>();
  for (const ranking of rankings) {
    ranking.forEach(([seq, weight], index) => scores.set(seq, (scores.get(seq) ?? 0) + Math.max(0, Math.min(1, weight)) / (RRF_K + index + 1)));
  }
  for (const [seq, score] of scores) scores.set(seq, Math.min(1, score / best));
  return scores;
}

/**
 * The share of `keywords` found in `content`. A keyword counts when a word of the
 * content starts with its stem (its first letters, at least four), so inflected forms
 * count as the full-text index's stemming does.
 */
export function keywordCoverage(keywords: readonly string[], content: string): number {
  if (keywords.length === 0) return 0;
  const words = content.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const found = keywords.filter((keyword) => {
    const stem = keyword.length <= 4 ? keyword : keyword.slice(0, Math.max(4, keyword.length - 2));
    return words.some((word) => (keyword.length <= 4 ? word === keyword || word.startsWith(keyword) : word.startsWith(stem)));
  });
  return found.length / keywords.length;
}

function toHit(row: ChunkHitRow, score: number): KnowledgeHit {
  const metadata = typeof row.metadata === 'string' ? (JSON.parse(row.metadata) as Record<string, unknown>) : (row.metadata as Record<string, unknown>);
  return {
    documentId: row.document_id,
    documentName: row.document_name,
    collectionId: row.collection_id,
    content: row.content,
    headings: JSON.parse(row.headings) as string[],
    position: row.position,
    score,
    reference: row.reference,
    metadata,
  };
}
