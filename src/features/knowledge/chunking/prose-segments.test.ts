import { describe, expect, it } from 'vitest';
import { BOUNDARY } from './boundary.js';
import { splitProse } from './prose-segments.js';

function split(text: string): Array<[string, number]> {
  return splitProse(text, 0, text.length, BOUNDARY.block).map((segment) => [text.slice(segment.start, segment.end), segment.boundary]);
}

describe('splitProse', () => {
  it('cuts at sentence ends, but not after abbreviations, initials or before lower case', () => {
    expect(split('Dr. Who came. He left e.g. quickly. Then: "Done." Next one? Yes. it is 3.5 km!')).toEqual([
      ['Dr. Who came.', BOUNDARY.block],
      ['He left e.g. quickly.', BOUNDARY.sentence],
      ['Then: "Done."', BOUNDARY.sentence],
      ['Next one?', BOUNDARY.sentence],
      ['Yes. it is 3.5 km!', BOUNDARY.sentence],
    ]);
    expect(split('東京です。大阪です。')).toEqual([
      ['東京です。', BOUNDARY.block],
      ['大阪です。', BOUNDARY.sentence],
    ]);
  });

  it('tells line breaks that end sentences or start list items from hard wrapping', () => {
    expect(split('Intro?\nwrapped here and\nthere:\n- item one\n1. item two')).toEqual([
      ['Intro?', BOUNDARY.block],
      ['wrapped here and', BOUNDARY.line],
      ['there:', BOUNDARY.softLine],
      ['- item one', BOUNDARY.line],
      ['1. item two', BOUNDARY.line],
    ]);
  });
});
