/**
 * How good a place to end a chunk the boundary before a piece is, weakest first. The packer
 * cuts at the strongest boundary in the second half of a full chunk, so chunks end on
 * sections and paragraphs when they can, and on words or characters only when they must.
 */
export const BOUNDARY = {
  /** Inside a word too long for any chunk. */
  character: 0,
  word: 1,
  /** A line break inside a sentence: hard-wrapped prose. */
  softLine: 2,
  sentence: 3,
  /** A line break that ends a sentence or starts a list item, quote or table row; any line in code. */
  line: 4,
  /** A blank line, or the edge of a code fence. */
  block: 5,
  /** A heading. */
  section: 6,
} as const;

export type BoundaryStrength = (typeof BOUNDARY)[keyof typeof BOUNDARY];
