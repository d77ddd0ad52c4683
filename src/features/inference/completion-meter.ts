import { JsonLiteral } from '../../platform/json-literal.js';
import type { PriceTable, PricedUsage, UsageEvent, UsageRecorder } from '../usage/index.js';
import { type TokenUsage, carriesUsage, readUsage } from './chat-completion.schemas.js';

/** Who and what a call is metered for: the usage event's identifying fields, plus a fallback estimate. */
export type MeterContext = Pick<UsageEvent, 'orgId' | 'keyId' | 'gatewayId' | 'connection' | 'model' | 'upstreamModel' | 'streamed'> & {
  /** Estimate for calls that end before the provider reports usage. */
  readonly estimatedPromptTokens: number;
};

const CONTENT_KEY = new JsonLiteral('"content":"');

/** The characters of the `"content":"…"` strings of a frame (escapes counted as written), for the estimate. Called per streamed frame, so it scans without allocating. */
function contentCharacters(data: string): number {
  let characters = 0;
  for (let start = CONTENT_KEY.indexIn(data); start !== -1; start = CONTENT_KEY.indexIn(data, start)) {
    let index = start + CONTENT_KEY.length;
    while (index < data.length && data.charCodeAt(index) !== 34 /* " */) index += data.charCodeAt(index) === 92 /* \ */ ? 2 : 1;
    characters += Math.min(index, data.length) - (start + CONTENT_KEY.length);
    start = index + 1;
  }
  return characters;
}

/**
 * Measures one model call from start to end — latency, time to first token,
 * tokens and cost — and hands a single usage record to the recorder, however
 * the call ends (completed, failed, or abandoned by the client).
 */
export class CompletionMeter {
  private readonly startedAt = performance.now();
  private firstTokenAt: number | null = null;
  private usage: TokenUsage | undefined;
  private streamedContentChars = 0;
  private recorded = false;
  /** The last pricing and the usage it priced: a reply is priced for the client and again for the record. */
  private priced: { readonly usage: TokenUsage; readonly result: PricedUsage } | undefined;

  constructor(
    private readonly context: MeterContext,
    private readonly prices: PriceTable,
    private readonly recorder: UsageRecorder,
    /** Told the tokens a finished call used, for token limits. */
    private readonly onTokens?: (tokens: number) => void,
  ) {}

  markFirstToken(): void {
    this.firstTokenAt ??= performance.now();
  }

  /**
   * Observes one streamed `data:` payload: the usage chunk, or content to
   * estimate from if none comes. True when the payload carries usage.
   */
  observeStreamData(data: string): boolean {
    if (carriesUsage(data)) {
      try {
        this.usage = readUsage((JSON.parse(data) as { usage?: unknown }).usage) ?? this.usage;
      } catch {
        // a malformed frame is the client's to see; the estimate stands
      }
      return true;
    }
    this.streamedContentChars += contentCharacters(data);
    return false;
  }

  observeUsage(usage: unknown): void {
    this.usage = readUsage(usage) ?? this.usage;
  }

  /** Prices the usage known so far, for the response's `generation_context`. */
  price(): PricedUsage {
    const usage = this.currentUsage();
    if (this.priced?.usage !== usage) {
      const { connection, upstreamModel, model } = this.context;
      const result = this.prices.price({ connection, model: upstreamModel, label: model, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, cachedTokens: usage.cachedTokens });
      this.priced = { usage, result };
    }
    return this.priced.result;
  }

  finish(status: 'ok' | 'error' | 'aborted', errorCode: string | null = null): void {
    if (this.recorded) return;
    this.recorded = true;
    const usage = this.currentUsage();
    // Fields listed one by one: a spread in the middle of a literal this size builds a slow dictionary-mode object.
    this.recorder.record({
      orgId: this.context.orgId,
      keyId: this.context.keyId,
      gatewayId: this.context.gatewayId,
      connection: this.context.connection,
      model: this.context.model,
      upstreamModel: this.context.upstreamModel,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      cachedTokens: usage.cachedTokens,
      cost: this.price().cost,
      latencyMs: performance.now() - this.startedAt,
      ttftMs: this.firstTokenAt === null ? null : this.firstTokenAt - this.startedAt,
      status,
      errorCode,
      streamed: this.context.streamed,
    });
    this.onTokens?.(usage.promptTokens + usage.completionTokens);
  }

  private currentUsage(): TokenUsage {
    if (this.usage) return this.usage;
    // No usage from the provider (an abandoned stream): estimate at ~4 characters a token.
    const completionTokens = Math.ceil(this.streamedContentChars / 4);
    return { promptTokens: completionTokens === 0 && this.firstTokenAt === null ? 0 : this.context.estimatedPromptTokens, completionTokens, cachedTokens: 0 };
  }
}
