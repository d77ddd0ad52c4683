import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ExchangeEvents {
  /** The whole response reached the socket. */
  onCompleted(): void;
  /** The connection closed early and it was the client's doing, not `cut()`. */
  onAborted(): void;
}

/**
 * One response being written. Every wait and write observes `signal`, which
 * fires when the connection closes for any reason, so a departed client stops
 * the script instead of leaving timers writing into a dead socket.
 */
export class Exchange {
  readonly #response: ServerResponse;
  readonly #closed = new AbortController();
  #cutByServer = false;

  constructor(response: ServerResponse, events: ExchangeEvents) {
    this.#response = response;
    response.once('finish', () => events.onCompleted());
    response.once('close', () => {
      if (!response.writableFinished && !this.#cutByServer) events.onAborted();
      this.#closed.abort(new Error('connection closed'));
    });
  }

  get signal(): AbortSignal {
    return this.#closed.signal;
  }

  get headersSent(): boolean {
    return this.#response.headersSent;
  }

  /** A real timer; rejects when the connection closes meanwhile. */
  async pause(milliseconds: number | undefined): Promise<void> {
    this.signal.throwIfAborted();
    if (milliseconds) await sleep(milliseconds, undefined, { signal: this.signal });
  }

  sendJson(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
    this.sendJsonText(status, JSON.stringify(body), headers);
  }

  /** As `sendJson`, with the body's text as given: it need not even be JSON. */
  sendJsonText(status: number, text: string, headers: Readonly<Record<string, string>> = {}): void {
    this.#response.writeHead(status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    this.#response.end(text);
  }

  /** Sends the status line and headers now, so the client sees the stream open before the first frame. */
  startEventStream(): void {
    this.#response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    this.#response.flushHeaders();
  }

  /** One `data:` frame. JSON.stringify never emits raw newlines, so one line is a safe frame. */
  writeEvent(payload: unknown): Promise<void> {
    return this.#write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  async endEventStream(): Promise<void> {
    await this.#write('data: [DONE]\n\n');
    this.#response.end();
  }

  /** Destroys the socket; the client sees a connection failure, and the request is not marked aborted. */
  cut(): void {
    this.#cutByServer = true;
    this.#response.destroy();
  }

  /**
   * Resolves once the bytes were handed to the kernel: that is backpressure,
   * and it also guarantees a following `cut()` does not discard frames the
   * script meant the client to receive.
   */
  #write(text: string): Promise<void> {
    this.signal.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const onClosed = () => reject(this.signal.reason);
      this.signal.addEventListener('abort', onClosed, { once: true });
      this.#response.write(text, (error) => {
        this.signal.removeEventListener('abort', onClosed);
        if (error) reject(error);
        else resolve();
      });
    });
  }
}
