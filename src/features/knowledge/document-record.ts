import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { DocumentsTable } from './knowledge.table.js';
import type { DocumentInput, DocumentSummary, DocumentView, PortableDocument } from './document.schemas.js';

export type DocumentRow = Selectable<DocumentsTable>;
export type DocumentSummaryRow = Pick<DocumentRow, 'id' | 'updated_at' | 'name' | 'reference' | 'tags' | 'state'> & { preview: string };

export const PREVIEW_CHARACTERS = 200;

/** Sorted keys at every level: jsonb does not keep key order, and comparisons must not depend on the dialect. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export function portableFromInput(input: DocumentInput): PortableDocument {
  return {
    name: input.name,
    contents: input.contents,
    reference: input.reference ?? null,
    tags: [...new Set(input.tags ?? [])],
    metadata: canonical(input.metadata ?? {}) as Record<string, unknown>,
  };
}

export function portableFromRow(row: DocumentRow): PortableDocument {
  return {
    name: row.name,
    contents: row.contents,
    reference: row.reference,
    tags: JSON.parse(row.tags) as string[],
    metadata: canonical(JSON.parse(row.metadata)) as Record<string, unknown>,
  };
}

export function contentHash(contents: string): string {
  return createHash('sha256').update(contents, 'utf8').digest('hex');
}

export interface TextCounts {
  readonly characterCount: number;
  readonly wordCount: number;
  readonly approximateTokenCount: number;
}

export function countText(contents: string): TextCounts {
  let characterCount = 0;
  for (const _ of contents) characterCount += 1;
  const words = contents.match(/\S+/gu);
  return { characterCount, wordCount: words?.length ?? 0, approximateTokenCount: Math.ceil(characterCount / 4) };
}

export interface NewDocumentIds {
  readonly id: string;
  readonly orgId: string;
  readonly collectionId: string;
  readonly now: string;
}

/** A new document, or new contents for an existing one: Queued until the indexing pipeline runs. */
export function queuedRow(document: PortableDocument, ids: NewDocumentIds, previous?: DocumentRow): DocumentRow {
  const counts = countText(document.contents);
  return {
    id: ids.id,
    org_id: ids.orgId,
    collection_id: ids.collectionId,
    name: document.name,
    reference: document.reference,
    contents: document.contents,
    content_hash: contentHash(document.contents),
    tags: JSON.stringify(document.tags),
    metadata: JSON.stringify(document.metadata),
    state: 'Queued',
    state_reason: null,
    revision: (previous?.revision ?? 0) + 1,
    character_count: counts.characterCount,
    word_count: counts.wordCount,
    approximate_token_count: counts.approximateTokenCount,
    created_at: previous?.created_at ?? ids.now,
    updated_at: ids.now,
    indexed_at: null,
    index_lease_until: null,
    index_attempts: 0,
  };
}

export type DocumentChange = 'contents' | 'details' | 'none';

/** What an upsert of `document` over `row` changes: contents re-queue it; reference, tags or metadata alone do not. */
export function changeOf(row: DocumentRow, document: PortableDocument): DocumentChange {
  if (row.content_hash !== contentHash(document.contents)) return 'contents';
  const before = portableFromRow(row);
  const same =
    before.reference === document.reference &&
    JSON.stringify(before.tags) === JSON.stringify(document.tags) &&
    JSON.stringify(before.metadata) === JSON.stringify(document.metadata);
  return same ? 'none' : 'details';
}

export function toDocumentView(row: DocumentRow): DocumentView {
  const document = portableFromRow(row);
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    contents: row.contents,
    reference: row.reference,
    tags: document.tags,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    indexedAt: row.indexed_at,
    stateReason: row.state_reason,
    characterCount: row.character_count,
    wordCount: row.word_count,
    approximateTokenCount: row.approximate_token_count,
    metadata: document.metadata,
  };
}

export function toDocumentSummary(row: DocumentSummaryRow): DocumentSummary {
  return {
    id: row.id,
    updatedAt: row.updated_at,
    name: row.name,
    reference: row.reference,
    tags: JSON.parse(row.tags) as string[],
    contentsPreview: row.preview,
    indexState: row.state,
  };
}
