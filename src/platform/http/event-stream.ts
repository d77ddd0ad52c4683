import { PassThrough, type Readable } from 'node:stream';

/** One server-sent event. `data` may span lines; each becomes its own `data:` line, as the format requires. */
export interface ServerSentEvent {
  readonly id?: string;
  readonly event?: string;
  readonly data: string;
}

export function formatServerSentEvent(event: ServerSentEvent): string {
  let frame = '';
  if (event.id !== undefined) frame += `id: ${event.id}\n`;
  if (event.event !== undefined) frame += `event: ${event.event}\n`;
  // One space after the colon: readers strip exactly one, so text that starts with a space keeps it.
  for (const line of event.data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

export interface EventStreamOptions {
  /** Silence after which a `: ping` comment is written; 0 for none. */
  readonly pingIntervalMs: number;
  /** Turns a failure of the source into a last event, so the reader learns why the stream ended. */
  readonly onError: (error: unknown) => ServerSentEvent;
}

/**
 * A readable event stream fed by an async source. The source gets a signal
 * that fires when the reader goes away, so it can stop following whatever it
 * follows; keep-alive comments are written only during silence.
 */
export function eventStream(open: (signal: AbortSignal) => AsyncIterable<ServerSentEvent>, options: EventStreamOptions): Readable {
  const output = new PassThrough();
  const gone = new AbortController();
  let lastWrite = Date.now();
  const write = (text: string) => {
    lastWrite = Date.now();
    output.write(text);
  };
  const ping =
    options.pingIntervalMs > 0
      ? setInterval(() => {
          if (Date.now() - lastWrite >= options.pingIntervalMs) write(': ping\n\n');
        }, Math.max(10, Math.min(options.pingIntervalMs, 1_000)))
      : undefined;
  ping?.unref();
  output.once('close', () => gone.abort(new Error('reader went away')));
  void (async () => {
    try {
      for await (const event of open(gone.signal)) {
        if (gone.signal.aborted) break;
        write(formatServerSentEvent(event));
      }
    } catch (error) {
      if (!gone.signal.aborted) write(formatServerSentEvent(options.onError(error)));
    } finally {
      if (ping) clearInterval(ping);
      output.end();
    }
  })();
  return output;
}
