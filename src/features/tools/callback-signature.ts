import { createHmac } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-agentry-timestamp';
export const SIGNATURE_HEADER = 'x-agentry-signature';
const SCHEME = 'sha256=';

/**
 * The signed material is `<timestamp>.<raw body>`: binding the time into the
 * MAC lets a receiver refuse replays of an old delivery by its timestamp
 * alone, and signing the raw bytes spares it from re-serializing JSON.
 */
export function callbackSignature(salt: string, timestamp: string, body: string): string {
  return `${SCHEME}${createHmac('sha256', salt).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The headers that let a callback receiver check that Agentry sent `body`, and when. */
export function signatureHeaders(salt: string, body: string, now: Date): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: callbackSignature(salt, timestamp, body) };
}
