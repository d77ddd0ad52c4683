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

/** How much of an error status's body a buffered response keeps: enough for any message, and bounded whoever sends it. */
export const ERROR_BODY_BYTES = 64 * 1024;

/** A response read whole: for replies that are used only once they are complete. */
export interface BufferedResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  /** For a status of 400 or more, its first ERROR_BODY_BYTES (the rest is read and let go, so the connection is kept). */
  readonly body: Buffer;
}

/** A reader's hold on a tapped body. */
export interface BodyTap {
  pause(): void;
  resume(): void;
  isPaused(): boolean;
  /** Stops handing on chunks. */
  release(): void;
}

/**
 * A response body read as a stream, or tapped by one reader, who then gets
 * each chunk straight from the connection, without the stream's buffer. What
 * arrived before the tap is handed on first, after the current tick. Errors
 * (the signal, a timeout, a connection lost) still destroy it as a stream.
 */
export interface TappableBody extends Readable {
  tap(onChunk: (chunk: Buffer) => void, onEnd: () => void): BodyTap;
}

/** A response as soon as its status is known, its body still arriving. */
export interface StreamedResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: TappableBody;
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
  /** Bytes of an error body still kept. */
  private errorRoom = ERROR_BODY_BYTES;

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // Called again after an informational (1xx) response: the last one is the response.
    this.statusCode = statusCode;
    this.headers = headers;
    this.chunks = [];
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.statusCode < 400) {
      this.chunks.push(chunk);
      return;
    }
    if (this.errorRoom === 0) return;
    const kept = chunk.length > this.errorRoom ? chunk.subarray(0, this.errorRoom) : chunk;
    this.errorRoom -= kept.length;
    this.chunks.push(kept);
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

/** How a tapped body hands on its chunks. */
interface BodyReader {
  readonly onChunk: (chunk: Buffer) => void;
  readonly onEnd: () => void;
}

/**
 * A response body fed by a dispatch handler: reading resumes the connection,
 * destroying it aborts the request. A tapping reader (the SSE relay) gets
 * each chunk straight from the handler: a Readable's push, `data` event and
 * the read it schedules after every push cost about as much as relaying the
 * chunk (bench/inference-compare.ts, stream: 294.7 → 279.9 µs of the main
 * thread per call).
 */
class DispatchedBody extends Readable implements TappableBody {
  private reader: BodyReader | undefined;
  private complete = false;
  /** Paused because the stream's buffer was full (before a tap), not by the reader. */
  private pausedForBuffer = false;
  private pausedByReader = false;

  constructor(private readonly controller: Dispatcher.DispatchController) {
    super();
  }

  tap(onChunk: (chunk: Buffer) => void, onEnd: () => void): BodyTap {
    const reader = { onChunk, onEnd };
    this.reader = reader;
    // What arrived before the tap (often the first event, read with the headers) goes first, once the tapper is set up.
    if (this.readableLength > 0 || this.complete) process.nextTick(() => this.handOnHeld(reader));
    const { controller } = this;
    return {
      pause: () => {
        this.pausedByReader = true;
        controller.pause();
      },
      resume: () => {
        this.pausedByReader = false;
        controller.resume();
      },
      isPaused: () => controller.paused,
      release: () => {
        if (this.reader === reader) this.reader = undefined;
      },
    };
  }

  /** A chunk from the handler: to the reader, unless chunks held from before its tap are still to go first. */
  deliver(chunk: Buffer): void {
    if (this.reader && this.readableLength === 0) {
      this.reader.onChunk(chunk);
    } else if (!this.push(chunk)) {
      this.pausedForBuffer = true;
      this.controller.pause();
    }
  }

  /** The response ended. The stream ends too (with nothing left to read when tapped), so `readableEnded` tells. */
  finish(): void {
    this.complete = true;
    this.push(null);
    // Chunks still held from before the tap: handing them on ends the reader too.
    if (!this.reader || this.readableLength > 0) return;
    this.resume();
    this.reader.onEnd();
  }

  override _read(): void {
    // A tapping reader decides alone when the connection goes on.
    if (this.reader) return;
    this.pausedForBuffer = false;
    this.controller.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.reader = undefined;
    if (!this.complete) this.controller.abort(error ?? new Error('The response body was destroyed before it ended.'));
    callback(error);
  }

  private handOnHeld(reader: BodyReader): void {
    if (this.reader !== reader || this.destroyed) return;
    for (let chunk = this.read() as Buffer | null; chunk !== null && this.reader === reader; chunk = this.read() as Buffer | null) reader.onChunk(chunk);
    if (this.reader !== reader) return;
    if (this.complete) {
      this.resume();
      reader.onEnd();
    } else if (this.pausedForBuffer) {
      this.pausedForBuffer = false;
      if (!this.pausedByReader) this.controller.resume();
    }
  }
}

class StreamingHandler extends SettlingHandler<StreamedResponse> {
  private body: DispatchedBody | undefined;

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // informational: the response is still to come
    this.body = new DispatchedBody(controller);
    this.succeed({ statusCode, headers, body: this.body });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.body!.deliver(chunk);
  }

  onResponseEnd(): void {
    this.forgetSignal();
    this.body!.finish();
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
