import type { IncomingMessage } from 'node:http';
import { newId } from '../ids.js';

/** Answered on every response, and recorded in the audit log. */
export const CORRELATION_HEADER = 'x-correlation-id';
const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** A client's correlation id is kept when it is a sane token; otherwise a new one is made. */
export function correlationIdOf(request: IncomingMessage): string {
  const header = request.headers[CORRELATION_HEADER];
  return typeof header === 'string' && CORRELATION_ID_PATTERN.test(header) ? header : newId();
}
