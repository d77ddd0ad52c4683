import { EventEmitter } from 'node:events';
import type { RecordedRequest } from './steps.js';

/** The upstream's own, writable view of a record; tests see `RecordedRequest`. */
export type RequestRecord = { -readonly [Key in keyof RecordedRequest]: RecordedRequest[Key] };

export interface WaitOptions {
  /** Default 5 s: long enough for a loaded CI machine, short enough to fail a test readably. */
  readonly timeoutMs?: number;
  readonly description?: string;
}

/**
 * Every request received, in order, with waits that re-check on each change
 * (arrival, completion, abort) instead of polling, so tests never sleep.
 */
export class RequestLog {
  readonly #records: RequestRecord[] = [];
  readonly #changes = new EventEmitter();

  get all(): readonly RecordedRequest[] {
    return this.#records;
  }

  add(record: RequestRecord): void {
    this.#records.push(record);
    this.#changes.emit('change');
  }

  update(record: RequestRecord, change: Partial<Pick<RequestRecord, 'aborted' | 'completed' | 'step'>>): void {
    Object.assign(record, change);
    this.#changes.emit('change');
  }

  last(): RecordedRequest {
    const last = this.#records.at(-1);
    if (!last) throw new Error('the scripted upstream has received no request');
    return last;
  }

  /** Emptied in place, so a reference to `all` stays live. */
  clear(): void {
    this.#records.length = 0;
  }

  waitUntil(condition: () => boolean, { timeoutMs = 5_000, description = 'a condition' }: WaitOptions = {}): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        stop();
        resolve();
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`scripted upstream: timed out after ${timeoutMs} ms waiting for ${description}`));
      }, timeoutMs);
      const stop = () => {
        clearTimeout(timer);
        this.#changes.off('change', check);
      };
      this.#changes.on('change', check);
    });
  }
}
