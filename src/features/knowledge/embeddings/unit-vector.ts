/**
 * `values` scaled to length 1, in a new Float32Array, so a dot product of two
 * is their cosine similarity. The sum is taken in doubles; an all-zero vector
 * has no direction and stays zero.
 */
export function toUnitVector(values: ArrayLike<number>): Float32Array<ArrayBuffer> {
  let sumOfSquares = 0;
  for (let index = 0; index < values.length; index += 1) sumOfSquares += (values[index] as number) ** 2;
  const vector = new Float32Array(values.length);
  const norm = Math.sqrt(sumOfSquares);
  if (norm === 0) return vector;
  for (let index = 0; index < values.length; index += 1) vector[index] = (values[index] as number) / norm;
  return vector;
}
