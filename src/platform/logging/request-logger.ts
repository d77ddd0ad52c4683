import pino, { type Bindings, type ChildLoggerOptions, type Level, type Logger } from 'pino';
import { JsonTextCache } from '../json-text-cache.js';

/**
 * The logger Fastify hands each request (`request.log`), made into a pino
 * child only when something logs through it. Most requests log nothing but
 * their access line, which writeAccessLine writes from this logger's stream
 * and bindings; creating a pino child for every request (its bindings
 * serialized, its level methods set up) cost more than that line does.
 */
export class RequestLogger {
  #child: Logger | undefined;
  #chindings: string | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get level(): string {
    return (this.#child ?? this.parent).level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  get levels(): Logger['levels'] {
    return this.parent.levels;
  }

  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.parent).isLevelEnabled(level);
  }

  fatal(...args: unknown[]): void {
    this.log('fatal', args);
  }

  error(...args: unknown[]): void {
    this.log('error', args);
  }

  warn(...args: unknown[]): void {
    this.log('warn', args);
  }

  info(...args: unknown[]): void {
    this.log('info', args);
  }

  debug(...args: unknown[]): void {
    this.log('debug', args);
  }

  trace(...args: unknown[]): void {
    this.log('trace', args);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.logger.child(bindings, options);
  }

  /** Where pino would write this logger's lines (read by writeAccessLine). */
  get [pino.symbols.streamSym](): pino.DestinationStream {
    return (this.#child ?? this.parent)[pino.symbols.streamSym as unknown as keyof Logger] as unknown as pino.DestinationStream;
  }

  /** The bindings as pino serializes them into each line: the parent's, then this request's (read by writeAccessLine). */
  get [pino.symbols.chindingsSym](): string {
    if (this.#child) return chindingsOf(this.#child);
    if (this.#chindings === undefined) {
      let serialized = chindingsOf(this.parent);
      // for…in rather than Object.entries: this runs for every request, and the bindings are one plain literal (the request id).
      for (const key in this.bindings) {
        const value: unknown = this.bindings[key];
        if (value !== undefined) serialized += `,${bindingNames.of(key)}:${jsonOf(value)}`;
      }
      this.#chindings = serialized;
    }
    return this.#chindings;
  }

  private get logger(): Logger {
    this.#child ??= this.parent.child(this.bindings, this.options);
    return this.#child;
  }

  private log(level: Level, args: unknown[]): void {
    if (!this.isLevelEnabled(level)) return;
    const logger = this.logger;
    (logger[level] as (this: Logger, ...args: unknown[]) => void).apply(logger, args);
  }
}

/** Binding names are a few constants (`reqId`). */
const bindingNames = new JsonTextCache(100);

/** Request ids are tokens (see the correlation id's pattern), which JSON quotes as they are; anything else goes through JSON.stringify. */
const PLAIN_TOKEN = /^[\w.:-]*$/;

function jsonOf(value: unknown): string {
  return typeof value === 'string' && PLAIN_TOKEN.test(value) ? `"${value}"` : JSON.stringify(value);
}

function chindingsOf(logger: Logger): string {
  return logger[pino.symbols.chindingsSym as unknown as keyof Logger] as unknown as string;
}
