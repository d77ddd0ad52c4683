import type { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

/** A response read whole: for replies that are used only once they are complete. */
export interface BufferedResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What a buffered request can be cancelled by: an AbortSignal, or an EventEmitter that emits `abort` (as undici accepts). */
export type BufferedRequestSignal = AbortSignal | (EventEmitter & { readonly aborted?: boolean; readonly reason?: unknown });

const EMPTY = Buffer.alloc(0);

function abortedError(signal: BufferedRequestSignal): unknown {
  const reason = signal.reason;
  return reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Collects one dispatched response into a Buffer. undici's `request` wraps
 * every response in a Readable (with an async resource, an abort listener
 * and the stream machinery to consume it), which for a small JSON reply
 * costs about a tenth of a whole proxied call on the gateway's main thread
 * (bench/inference-instructions.ts: 316k against 282k instructions per
 * call). A handler of undici's dispatch API takes the chunks as they come.
 */
class BufferingHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private statusCode = 0;
  private headers: IncomingHttpHeaders = {};
  private chunks: Buffer[] = [];
  private settled = false;
  private readonly onAbort = (): void => {
    const reason = abortedError(this.signal!);
    if (this.controller) this.controller.abort(reason as Error);
    else this.fail(reason);
  };

  constructor(
    private readonly resolve: (response: BufferedResponse) => void,
    private readonly reject: (error: unknown) => void,
    private readonly signal: BufferedRequestSignal | undefined,
  ) {
    if (signal) {
      if ('addEventListener' in signal) signal.addEventListener('abort', this.onAbort);
      else signal.on('abort', this.onAbort);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) controller.abort(new Error('The request was cancelled before it started.'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // Called again after an informational (1xx) response: the last one is the response.
    this.statusCode = statusCode;
    this.headers = headers;
    this.chunks = [];
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    this.forgetSignal();
    const { chunks } = this;
    const body = chunks.length === 1 ? chunks[0]! : chunks.length === 0 ? EMPTY : Buffer.concat(chunks);
    this.resolve({ statusCode: this.statusCode, headers: this.headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.fail(error);
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.forgetSignal();
    this.chunks = [];
    this.reject(error);
  }

  private forgetSignal(): void {
    const { signal } = this;
    if (!signal) return;
    if ('removeEventListener' in signal) signal.removeEventListener('abort', this.onAbort);
    else signal.off('abort', this.onAbort);
  }
}

/**
 * Dispatches a request and resolves with its whole response, or rejects with
 * undici's error (a timeout, a connection failure, the response size limit)
 * or the signal's reason when it is cancelled.
 */
export function dispatchBuffered(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal?: BufferedRequestSignal | null): Promise<BufferedResponse> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError(signal));
      return;
    }
    dispatcher.dispatch(options, new BufferingHandler(resolve, reject, signal ?? undefined));
  });
}
