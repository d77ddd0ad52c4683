import { describe, expect, it } from 'vitest';
import { toUnitVector } from './unit-vector.js';

describe('toUnitVector', () => {
  it('scales a vector to length 1, keeping its direction', () => {
    expect(Array.from(toUnitVector([3, 4]))).toEqual([Math.fround(0.6), Math.fround(0.8)]);
  });

  it('leaves an all-zero vector zero rather than dividing by zero', () => {
    expect(Array.from(toUnitVector([0, 0, 0]))).toEqual([0, 0, 0]);
  });
});
