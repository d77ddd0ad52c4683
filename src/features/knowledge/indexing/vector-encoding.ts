/** How vectors are stored: float32 little-endian bytes, and one sign bit per dimension for the Hamming pre-ranking. */

export function embeddingBytes(vector: Float32Array): Uint8Array {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < vector.length; index += 1) view.setFloat32(index * 4, vector[index] ?? 0, true);
  return bytes;
}

export function embeddingFromBytes(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vector = new Float32Array(bytes.byteLength / 4);
  for (let index = 0; index < vector.length; index += 1) vector[index] = view.getFloat32(index * 4, true);
  return vector;
}

/** Bit i set when dimension i is positive; padded with zero bits to whole 32-bit words. */
export function signatureBytes(vector: Float32Array): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(vector.length / 32) * 4);
  for (let index = 0; index < vector.length; index += 1) {
    if ((vector[index] ?? 0) > 0) bytes[index >> 3]! |= 1 << (index & 7);
  }
  return bytes;
}

/** The signature as little-endian 32-bit words, the unit the Hamming scan works in. */
export function signatureWords(bytes: Uint8Array, into: Uint32Array, offset: number): void {
  for (let word = 0; word < bytes.length / 4; word += 1) {
    const at = word * 4;
    into[offset + word] = ((bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8) | ((bytes[at + 2] ?? 0) << 16) | ((bytes[at + 3] ?? 0) << 24)) >>> 0;
  }
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) sum += a[index]! * b[index]!;
  return sum;
}
