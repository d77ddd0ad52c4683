import { Transform, type TransformCallback } from 'node:stream';

export interface SseRelayOptions {
  /** Interval of silence after which a `: ping` comment is sent; 0 disables pings. */
  readonly pingIntervalMs: number;
  /** Called with each complete `data:` payload (without the prefix), to observe usage and the like. */
  readonly onData?: (data: string) => void;
  /** Frames whose payload this returns true for are not forwarded (the relay then works frame by frame). */
  readonly dropData?: (data: string) => boolean;
  readonly onFirstChunk?: () => void;
  /**
   * A literal to replace in every frame, e.g. the provider's model name with the
   * one the client asked for. In pass-through mode it is replaced per network
   * chunk, so a literal split across two chunks would pass unchanged.
   */
  readonly replace?: { readonly from: string; readonly to: string };
}

/** Headers that keep proxies from buffering or caching an event stream. */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
} as const;

/**
 * Relays an upstream event stream byte for byte, as it arrives, while
 * watching its `data:` frames and sending keep-alive comments during silence.
 * Frames are only scanned, never re-encoded, so relaying costs almost nothing.
 */
export class SseRelay extends Transform {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private seenFirstChunk = false;

  constructor(private readonly options: SseRelayOptions) {
    super();
    this.armPing();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.armPing();
    if (!this.seenFirstChunk) {
      this.seenFirstChunk = true;
      this.options.onFirstChunk?.();
    }
    const text = chunk.toString('utf8');
    if (this.options.dropData) {
      // Frame by frame: a frame is forwarded once complete, unless dropped.
      this.scan(text, true);
      callback();
      return;
    }
    // Frame boundaries are tracked even when nothing observes the frames, so a
    // keep-alive comment is never written into the middle of one.
    this.scan(text, false);
    callback(null, this.options.replace ? this.rewrite(text) : chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.disarm();
    if (this.pending.trim()) this.scan('\n\n', this.options.dropData !== undefined);
    this.pending = '';
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.disarm();
    callback(error);
  }

  /** Ends the stream with an error event in OpenAI's shape, which OpenAI clients raise as an APIError. */
  failWith(error: { message: string; type: string; code: string }): void {
    this.disarm();
    this.push(`data: ${JSON.stringify({ error: { ...error, param: null } })}\n\n`);
    this.push(null);
  }

  private scan(text: string, forward: boolean): void {
    this.pending += text;
    let forwarded = '';
    let boundary = this.pending.search(/\r?\n\r?\n/);
    while (boundary !== -1) {
      const frame = this.pending.slice(0, boundary);
      this.pending = this.pending.slice(boundary).replace(/^\r?\n\r?\n/, '');
      const data = frame
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data) this.options.onData?.(data);
      if (forward && !(data && this.options.dropData?.(data))) forwarded += `${frame}\n\n`;
      boundary = this.pending.search(/\r?\n\r?\n/);
    }
    // One push per incoming chunk, not per frame: fewer, larger writes to the socket.
    if (forwarded) this.push(this.options.replace ? this.rewrite(forwarded) : forwarded);
  }

  private rewrite(text: string): string {
    const { from, to } = this.options.replace ?? { from: '', to: '' };
    return from && text.includes(from) ? text.replaceAll(from, to) : text;
  }

  private armPing(): void {
    if (this.options.pingIntervalMs <= 0) return;
    // Re-arming an existing timer is far cheaper than creating one per chunk.
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending === '') this.push(': ping\n\n');
      this.armPing();
    }, this.options.pingIntervalMs);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
