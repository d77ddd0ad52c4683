import type { PriceTable, PricedUsage, UsageEvent, UsageRecorder } from '../usage/index.js';
import { type TokenUsage, readUsage } from './chat-completion.schemas.js';

/** Who and what a call is metered for: the usage event's identifying fields, plus a fallback estimate. */
export type MeterContext = Pick<UsageEvent, 'orgId' | 'keyId' | 'gatewayId' | 'connection' | 'model' | 'upstreamModel' | 'streamed'> & {
  /** Estimate for calls that end before the provider reports usage. */
  readonly estimatedPromptTokens: number;
};

const CONTENT_DELTA = /"content":"((?:[^"\\]|\\.)*)"/g;
const USAGE_FIELD = /"usage"\s*:\s*\{/;

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

  constructor(
    private readonly context: MeterContext,
    private readonly prices: PriceTable,
    private readonly recorder: UsageRecorder,
    /** Told the tokens a finished call used, for token limits. */
    private readonly onTokens: (tokens: number) => void = () => undefined,
  ) {}

  markFirstToken(): void {
    this.firstTokenAt ??= performance.now();
  }

  /** Observes one streamed `data:` payload: the usage chunk, or content to estimate from if none comes. */
  observeStreamData(data: string): void {
    if (USAGE_FIELD.test(data)) {
      try {
        this.usage = readUsage((JSON.parse(data) as { usage?: unknown }).usage) ?? this.usage;
      } catch {
        // a malformed frame is the client's to see; the estimate stands
      }
      return;
    }
    for (const match of data.matchAll(CONTENT_DELTA)) this.streamedContentChars += match[1]?.length ?? 0;
  }

  observeUsage(usage: unknown): void {
    this.usage = readUsage(usage) ?? this.usage;
  }

  /** Prices the usage known so far, for the response's `generation_context`. */
  price(): PricedUsage {
    const usage = this.currentUsage();
    return this.prices.price({ connection: this.context.connection, model: this.context.upstreamModel, label: this.context.model, ...usage });
  }

  finish(status: 'ok' | 'error' | 'aborted', errorCode: string | null = null): void {
    if (this.recorded) return;
    this.recorded = true;
    const usage = this.currentUsage();
    this.recorder.record({
      orgId: this.context.orgId,
      keyId: this.context.keyId,
      gatewayId: this.context.gatewayId,
      connection: this.context.connection,
      model: this.context.model,
      upstreamModel: this.context.upstreamModel,
      ...usage,
      cost: this.price().cost,
      latencyMs: performance.now() - this.startedAt,
      ttftMs: this.firstTokenAt === null ? null : this.firstTokenAt - this.startedAt,
      status,
      errorCode,
      streamed: this.context.streamed,
    });
    this.onTokens(usage.promptTokens + usage.completionTokens);
  }

  private currentUsage(): TokenUsage {
    if (this.usage) return this.usage;
    // No usage from the provider (an abandoned stream): estimate at ~4 characters a token.
    const completionTokens = Math.ceil(this.streamedContentChars / 4);
    return { promptTokens: completionTokens === 0 && this.firstTokenAt === null ? 0 : this.context.estimatedPromptTokens, completionTokens, cachedTokens: 0 };
  }
}
