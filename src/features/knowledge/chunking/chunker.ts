import { collectPieces, type Piece } from './chunk-pieces.js';
import { readMarkdownBlocks } from './markdown-blocks.js';
import { findOverlapTail } from './overlap-tail.js';
import { estimateTokens } from './token-estimate.js';

export interface ChunkOptions {
  /** The most estimated tokens of a chunk, overlap included. At least 32. */
  maxTokens: number;
  /** About how many tokens of the previous chunk's tail each chunk repeats; below maxTokens / 2. */
  overlapTokens: number;
}

export interface Chunk {
  /** 0, 1, 2… in document order. */
  position: number;
  /** A trimmed slice of the document (with CRLF turned into LF); inner newlines and indentation kept. */
  content: string;
  /** `estimateTokens(content)`, never above `maxTokens`. */
  tokenCount: number;
  /**
   * The enclosing headings at the chunk's start, outermost first. They are not repeated in
   * `content` unless the chunk starts with its heading; the pipeline adds them when embedding.
   */
  headings: readonly string[];
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = Object.freeze({ maxTokens: 256, overlapTokens: 32 });

const MIN_MAX_TOKENS = 32;

function validateOptions(options: ChunkOptions): void {
  const { maxTokens, overlapTokens } = options;
  if (!Number.isInteger(maxTokens) || maxTokens < MIN_MAX_TOKENS) {
    throw new RangeError(`maxTokens must be an integer of at least ${MIN_MAX_TOKENS}, got ${maxTokens}`);
  }
  if (!Number.isInteger(overlapTokens) || overlapTokens < 0 || overlapTokens * 2 >= maxTokens) {
    throw new RangeError(`overlapTokens must be an integer from 0 to below maxTokens / 2 (${maxTokens / 2}), got ${overlapTokens}`);
  }
}

/**
 * The best place to end a chunk whose next piece (`next`) does not fit: the strongest
 * boundary among those leaving the chunk more than half full, the latest on a tie, and
 * never right after a heading. With no such boundary, the chunk ends before `next`.
 */
function chooseCut(pieces: readonly Piece[], first: number, next: number, fill: number, maxTokens: number): number {
  let best = -1;
  let bestStrength = -1;
  let before = fill;
  for (let cut = next; cut > first && before * 2 > maxTokens; cut -= 1) {
    const piece = pieces[cut];
    const previous = pieces[cut - 1];
    if (!previous) break;
    if (piece && !previous.startsSection && piece.boundary > bestStrength) {
      best = cut;
      bestStrength = piece.boundary;
    }
    before -= previous.tokens;
  }
  if (best >= 0) return best;
  return next - 1 > first && pieces[next - 1]?.startsSection ? next - 1 : next;
}

/**
 * Where the chunk starting at piece `first` ends (exclusive), packing greedily: a heading
 * starts a new chunk once the chunk is more than half full, and a piece that does not fit
 * ends it at the best boundary (see `chooseCut`).
 */
function findChunkEnd(pieces: readonly Piece[], first: number, overlapTokens: number, maxTokens: number): number {
  let fill = overlapTokens + (pieces[first]?.tokens ?? 0);
  for (let next = first + 1; next < pieces.length; next += 1) {
    const piece = pieces[next];
    if (!piece) break;
    if (piece.startsSection && fill * 2 > maxTokens && !pieces[next - 1]?.startsSection) return next;
    if (fill + piece.tokens > maxTokens) return chooseCut(pieces, first, next, fill, maxTokens);
    fill += piece.tokens;
  }
  return pieces.length;
}

/**
 * How far back the next chunk's overlap may reach in the chunk of pieces `[first, end)`:
 * not before its last heading (the overlap would carry another section's text) and not
 * into a whole code fence (a fence is kept whole, not repeated in fragments).
 */
function overlapFloor(pieces: readonly Piece[], first: number, end: number, fallback: number): number {
  for (let index = end - 1; index >= first; index -= 1) {
    const piece = pieces[index];
    if (piece?.startsSection) return piece.start;
    if (piece?.verbatim) return piece.end;
  }
  return fallback;
}

/**
 * Cuts a document into chunks for embedding, Markdown structure first: sections, then
 * blocks (paragraphs, whole code fences), then lines and sentences, then words, and
 * characters only inside a word longer than a chunk. Pieces are packed greedily up to
 * `maxTokens`; each chunk after the first repeats about `overlapTokens` of the previous
 * chunk's tail (from a word or sentence start), within `maxTokens`. Exceptions, to keep
 * context clean: a chunk starting with a heading has no overlap (it opens a section; the
 * previous section's tail would sit under the wrong headings), an overlap takes no part of
 * a whole code fence, and a fence that fits in a chunk but not beside a full overlap gets
 * a shorter one, so it stays whole. Deterministic, and linear in the text.
 */
export function chunkDocument(text: string, options: ChunkOptions): Chunk[] {
  validateOptions(options);
  const normalized = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  const { maxTokens, overlapTokens } = options;
  const pieces = collectPieces(normalized, readMarkdownBlocks(normalized), {
    text: maxTokens - overlapTokens,
    verbatim: maxTokens,
  });
  const chunks: Chunk[] = [];
  let previous: { floor: number; end: number } | undefined;
  let first = 0;
  while (first < pieces.length) {
    const piece = pieces[first];
    if (!piece) break;
    const limit = Math.min(overlapTokens, maxTokens - piece.tokens);
    const overlap = previous && !piece.startsSection && limit > 0 ? findOverlapTail(normalized, previous.floor, previous.end, limit) : undefined;
    const end = findChunkEnd(pieces, first, overlap?.tokens ?? 0, maxTokens);
    const start = overlap?.start ?? piece.start;
    const stop = pieces[end - 1]?.end ?? piece.end;
    const content = normalized.slice(start, stop);
    chunks.push({ position: chunks.length, content, tokenCount: estimateTokens(content), headings: piece.headings });
    previous = { floor: overlapFloor(pieces, first, end, start), end: stop };
    first = end;
  }
  return chunks;
}
