import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../platform/errors.js';
import { parseDocumentFilter } from './document-filter.js';

describe('parseDocumentFilter', () => {
  it('reads tags, names and references, with quoted values and bare words as names', () => {
    expect(parseDocumentFilter('-t faq -t "billing plans" -n invoice -r manual.pdf refund')).toEqual({
      tags: ['faq', 'billing plans'],
      nameContains: ['invoice', 'refund'],
      referenceContains: ['manual.pdf'],
    });
  });

  it('gives an empty filter for nothing or blanks', () => {
    expect(parseDocumentFilter(undefined)).toEqual({ tags: [], nameContains: [], referenceContains: [] });
    expect(parseDocumentFilter('   ')).toEqual({ tags: [], nameContains: [], referenceContains: [] });
  });

  it('refuses an option without a value, naming the filter', () => {
    expect(() => parseDocumentFilter('-n invoice -t')).toThrow(ValidationError);
    expect(() => parseDocumentFilter('-t ""')).toThrow(/-t needs a value/);
  });
});
