import { EventEmitter } from 'node:events';
import type { FastifyReply } from 'fastify';

/**
 * Emits `abort` once when the client goes away before its response is
 * complete. undici takes an EventEmitter as a request's `signal`, and this one
 * costs a fraction of an AbortController, whose creation on Node 20 takes
 * microseconds (mostly re-prototyping its signal) — paid on every gateway
 * call, though hardly any call is ever cancelled. A real AbortSignal is made
 * on first use, for the code that needs one.
 */
export class ClientDisconnect extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
  private controller: AbortController | undefined;

  /** An AbortSignal that follows this disconnect, made when first asked for. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.emit('abort');
  }
}

/** What a call can be cancelled by: any AbortSignal, or a ClientDisconnect on the hot path. */
export type Cancellation = AbortSignal | ClientDisconnect;

/** The AbortSignal of a cancellation, for APIs that take nothing else. */
export function abortSignalOf(cancellation: Cancellation): AbortSignal {
  return cancellation instanceof ClientDisconnect ? cancellation.signal : cancellation;
}

/**
 * Node 20 has no signal for a client that left; this watches the response's
 * `close`, which Node emits once, when the response is complete or its
 * connection was cut (also while the request body was still arriving).
 * `on` rather than `once`: no wrapper per request, and the response is dropped with its listener.
 */
export function watchClientDisconnect(reply: FastifyReply): ClientDisconnect {
  const disconnect = new ClientDisconnect();
  const response = reply.raw;
  response.on('close', () => {
    if (!response.writableFinished) disconnect.abort(new Error('client disconnected'));
  });
  return disconnect;
}

/**
 * One signal per request that fires when the client goes away before the
 * response is complete, or when the server shuts down.
 */
export function requestSignal(reply: FastifyReply, shutdown?: AbortSignal): AbortSignal {
  const signal = watchClientDisconnect(reply).signal;
  return shutdown ? AbortSignal.any([signal, shutdown]) : signal;
}
