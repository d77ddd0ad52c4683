import { describe, expect, it } from 'vitest';
import { ToolNameRegistry, safeToolName } from './tool-name.js';

describe('safeToolName', () => {
  it('keeps valid names and replaces what providers refuse', () => {
    expect(safeToolName('get_weather-2')).toBe('get_weather-2');
    expect(safeToolName('crm.lookup contact')).toBe('crm_lookup_contact');
    expect(safeToolName('')).toBe('tool');
  });

  it('cuts long names to 64 characters with a stable hash of the original', () => {
    const long = `${'x'.repeat(70)}__add`;
    const name = safeToolName(long);
    expect(name).toHaveLength(64);
    expect(name).toMatch(/^x{55}_[0-9a-f]{8}$/);
    expect(safeToolName(long)).toBe(name);
    expect(safeToolName(`${'x'.repeat(70)}__sub`)).not.toBe(name);
  });
});

describe('ToolNameRegistry', () => {
  it('gives a colliding name a hash suffix, and refuses the same original twice', () => {
    const names = new ToolNameRegistry(['reserved']);
    expect(names.claim('a.b')).toBe('a_b');
    expect(names.claim('a_b')).toMatch(/^a_b_[0-9a-f]{8}$/);
    expect(names.claim('a_b')).toBeUndefined();
    expect(names.claim('reserved')).toMatch(/^reserved_[0-9a-f]{8}$/);
    expect(names.claimExact('reserved')).toBeUndefined();
    expect(names.claimExact('fresh')).toBe('fresh');
  });
});
