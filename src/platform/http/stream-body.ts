import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { SseRelay } from './sse-relay.js';

/** Where a failed stream is reported: a request's logger. */
export interface StreamFailureLog {
  error(details: { err: unknown }, message: string): void;
}

/**
 * Sends a streamed body on a response whose head is already written: an
 * SseRelay writes straight to it, any other stream is piped. A client that
 * leaves stops the stream (and with it the provider's); a stream that fails
 * cuts the response, and the failure is logged.
 *
 * pipe, not stream.pipeline: on Node 20 every pipeline ends by aborting an
 * AbortController of its own, whose AbortError captures a stack trace (58k
 * instructions a streamed call).
 */
export function sendStreamBody(response: ServerResponse, body: Readable, log: StreamFailureLog): void {
  body.once('error', (error) => {
    log.error({ err: error }, 'streamed response failed');
    response.destroy();
  });
  response.once('close', () => {
    if (!body.readableEnded) body.destroy();
  });
  if (body instanceof SseRelay) body.sendTo(response);
  else body.pipe(response);
}
