import { hash, randomBytes } from 'node:crypto';

const API_KEY_PREFIX = 'sk-';

/** 32 random bytes (256 bits) behind the `sk-` prefix. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function generateSalt(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Keys are random and long, so one SHA-256 is the right digest for lookups: a
 * slow password KDF adds nothing against brute force here and caps throughput.
 */
export function digestSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/**
 * Whether two texts are equal, taking a time that depends on their length
 * only, not on where they differ: for comparing a presented secret with one
 * held in memory.
 */
export function textsEqualInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index += 1) difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return difference === 0;
}

/** What a listing shows of a key: never more than its last six characters. */
export function keyHint(secret: string): string {
  return secret.slice(-6);
}

export const MASKED_SECRET = '***';
