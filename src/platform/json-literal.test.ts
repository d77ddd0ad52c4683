import { describe, expect, it } from 'vitest';
import { JsonLiteral } from './json-literal.js';

describe('a literal searched for in JSON text', () => {
  const subjects = [
    '',
    '"',
    '"usage"',
    'usage"',
    'x"usage"',
    '{"id":"a","usage":{"usage":1},"model":"m"}',
    'usage" "usage" usage" "usage"',
    '"model":"m" \\"model\\":\\"m\\" "model":"m""model":"m"',
    '""usage""',
    // The rarest character of a literal found where the rest of it is not, then where it is.
    '{"name":"o-mini","model":"gpt-4o-mini","content":"tent\\":\\"","x":"content":"y"}',
    '"model":"gpt-4o-mini""model":"gpt-4o-mini"',
  ];

  it('is found where indexOf finds it, from any position, whichever of its characters it is searched by', () => {
    for (const literal of ['"usage"', '"model":"m"', '""', '"u', '"', 'usage', 'model":"m"', '"content":"', '"model":"gpt-4o-mini"', '-mini"', '']) {
      const searched = new JsonLiteral(literal);
      expect(searched.length).toBe(literal.length);
      for (const subject of subjects) {
        for (let from = -1; from <= subject.length + 1; from += 1) {
          expect(searched.indexIn(subject, from), `${literal} in ${subject} from ${from}`).toBe(subject.indexOf(literal, from));
        }
        expect(searched.isIn(subject)).toBe(subject.includes(literal));
      }
    }
  });
});
