import { describe, expect, it } from 'vitest';
import { USAGE_COLUMNS, type UsageRecordRow, pushUsageValues } from './usage.repository.js';

describe('usage record values', () => {
  it('come in the order of the INSERT’s columns', () => {
    // Every column a different value, so a swapped pair shows.
    const row = Object.fromEntries(USAGE_COLUMNS.map((column, index) => [column, `${column}-${index}`])) as unknown as UsageRecordRow;
    const values: Array<string | number | null> = ['earlier'];
    pushUsageValues(values, row);
    expect(values).toEqual(['earlier', ...USAGE_COLUMNS.map((column) => row[column])]);
  });
});
