import type { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

/**
 * Responses read through handlers of undici's dispatch API instead of its
 * `request`. `request` wraps every response in its own Readable (an async
 * resource run in its scope, an abort listener, a body mixin) and parses its
 * headers and trailers into objects; for a model call on the gateway's hot
 * path that was about a tenth of the main thread's work per JSON reply
 * (bench/inference-instructions.ts: 316k against 286k instructions per call)
 * and 2 % of a streamed one.
 */

/** A response read whole: for replies that are used only once they are complete. */
export interface BufferedResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A response as soon as its status is known; its body arrives through a plain Readable. */
export interface StreamedResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
}

/** What a dispatched request can be cancelled by: an AbortSignal, or an EventEmitter that emits `abort` (as undici accepts). */
export type DispatchSignal = AbortSignal | (EventEmitter & { readonly aborted?: boolean; readonly reason?: unknown });

const EMPTY = Buffer.alloc(0);

function abortedError(signal: DispatchSignal): Error {
  return (signal.reason as Error | undefined) ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Settles a promise once, from undici's callbacks or the caller's signal, and lets go of the signal then. */
abstract class SettlingHandler<Response> implements Dispatcher.DispatchHandler {
  protected controller: Dispatcher.DispatchController | undefined;
  protected settled = false;
  private readonly onAbort = (): void => {
    const reason = abortedError(this.signal!);
    if (this.controller) this.controller.abort(reason);
    else this.fail(reason);
  };

  constructor(
    private readonly resolve: (response: Response) => void,
    private readonly reject: (error: unknown) => void,
    private readonly signal: DispatchSignal | undefined,
  ) {
    if (signal) {
      if ('addEventListener' in signal) signal.addEventListener('abort', this.onAbort);
      else signal.on('abort', this.onAbort);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Cancelled while it waited for a connection.
    if (this.settled) controller.abort(new Error('The request was cancelled before it started.'));
  }

  abstract onResponseError(controller: Dispatcher.DispatchController | undefined, error: Error): void;

  protected succeed(response: Response): void {
    this.settled = true;
    this.resolve(response);
  }

  protected fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.forgetSignal();
    this.reject(error);
  }

  protected forgetSignal(): void {
    const { signal } = this;
    if (!signal) return;
    if ('removeEventListener' in signal) signal.removeEventListener('abort', this.onAbort);
    else signal.off('abort', this.onAbort);
  }
}

class BufferingHandler extends SettlingHandler<BufferedResponse> {
  private statusCode = 0;
  private headers: IncomingHttpHeaders = {};
  private chunks: Buffer[] = [];

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
    this.forgetSignal();
    const { chunks } = this;
    const body = chunks.length === 1 ? chunks[0]! : chunks.length === 0 ? EMPTY : Buffer.concat(chunks);
    this.succeed({ statusCode: this.statusCode, headers: this.headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.chunks = [];
    this.fail(error);
  }
}

/** A response body fed by a dispatch handler: reading resumes the connection, destroying it aborts the request. */
class DispatchedBody extends Readable {
  constructor(private readonly controller: Dispatcher.DispatchController) {
    super();
  }

  override _read(): void {
    this.controller.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.readableEnded) this.controller.abort(error ?? new Error('The response body was destroyed before it ended.'));
    callback(error);
  }
}

class StreamingHandler extends SettlingHandler<StreamedResponse> {
  private body: DispatchedBody | undefined;

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // informational: the response is still to come
    this.body = new DispatchedBody(controller);
    this.succeed({ statusCode, headers, body: this.body });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.body!.push(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.forgetSignal();
    this.body!.push(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (!this.body) {
      this.fail(error);
      return;
    }
    // Cancelled or failed mid-body: the reader sees the error (undici's own body does the same).
    this.forgetSignal();
    this.body.destroy(error);
  }
}

function dispatchWith<Response>(
  makeHandler: new (resolve: (response: Response) => void, reject: (error: unknown) => void, signal: DispatchSignal | undefined) => Dispatcher.DispatchHandler,
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: DispatchSignal | null | undefined,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError(signal));
      return;
    }
    dispatcher.dispatch(options, new makeHandler(resolve, reject, signal ?? undefined));
  });
}

/**
 * Dispatches a request and resolves with its whole response, or rejects with
 * undici's error (a timeout, a connection failure, the response size limit)
 * or the signal's reason when it is cancelled.
 */
export function dispatchBuffered(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal?: DispatchSignal | null): Promise<BufferedResponse> {
  return dispatchWith<BufferedResponse>(BufferingHandler, dispatcher, options, signal);
}

/**
 * Dispatches a request and resolves once its status is known. The body keeps
 * the connection paused while its reader is behind; an error after that
 * (including the signal, with its reason) destroys the body with it.
 */
export function dispatchStreamed(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal?: DispatchSignal | null): Promise<StreamedResponse> {
  return dispatchWith<StreamedResponse>(StreamingHandler, dispatcher, options, signal);
}

/** A streamed body read to its end. */
export async function readWhole(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
