import { describe, expect, it } from 'vitest';
import { changeOf, contentHash, countText, portableFromInput, queuedRow } from './document-record.js';

describe('countText', () => {
  it('counts code points, runs of non-whitespace and ceil(chars / 4) tokens', () => {
    expect(countText('')).toEqual({ characterCount: 0, wordCount: 0, approximateTokenCount: 0 });
    expect(countText('  hello\n\tworld  ')).toEqual({ characterCount: 16, wordCount: 2, approximateTokenCount: 4 });
    expect(countText('😀😀')).toEqual({ characterCount: 2, wordCount: 1, approximateTokenCount: 1 });
  });
});

describe('changeOf', () => {
  const ids = { id: 'd1', orgId: 'o1', collectionId: 'c1', now: '2026-12-01T10:00:00.000Z' };
  const stored = queuedRow(portableFromInput({ name: 'n', contents: 'text', tags: ['a'], metadata: { y: 1, x: { b: 2, a: 1 } } }), ids);

  it('sees no change when only the key order of metadata differs', () => {
    expect(changeOf(stored, portableFromInput({ name: 'n', contents: 'text', tags: ['a'], metadata: { x: { a: 1, b: 2 }, y: 1 } }))).toBe('none');
  });

  it('tells new contents from changed details', () => {
    expect(changeOf(stored, portableFromInput({ name: 'n', contents: 'text!', tags: ['a'], metadata: { y: 1, x: { b: 2, a: 1 } } }))).toBe('contents');
    expect(changeOf(stored, portableFromInput({ name: 'n', contents: 'text', tags: ['b'], metadata: { y: 1, x: { b: 2, a: 1 } } }))).toBe('details');
    expect(changeOf(stored, portableFromInput({ name: 'n', contents: 'text', reference: 'r', tags: ['a'], metadata: { y: 1, x: { b: 2, a: 1 } } }))).toBe('details');
  });

  it('re-queues new contents with the next revision, keeping the creation time', () => {
    const next = queuedRow(portableFromInput({ name: 'n', contents: 'other' }), { ...ids, now: '2026-12-02T10:00:00.000Z' }, { ...stored, state: 'Indexed' });
    expect(next).toMatchObject({ state: 'Queued', revision: 2, created_at: ids.now, indexed_at: null, content_hash: contentHash('other') });
  });
});
