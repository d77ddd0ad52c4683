import { z } from 'zod';
import { JsonTextCache } from '../../platform/json-text-cache.js';

/** USD per million tokens. */
export const modelPriceSchema = z.object({
  input: z.number().min(0),
  output: z.number().min(0),
  cachedInput: z.number().min(0).optional(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** Operator overrides: model name (or `<connection>/<model>`) → price. */
export const priceOverridesSchema = z.record(z.string().min(1), modelPriceSchema);

/**
 * List prices of common models, so costs mean something out of the box.
 * Operators override or extend them with AGENTRY_MODEL_PRICES; models not
 * listed cost nothing (their tokens are still counted).
 */
const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gpt-5': { input: 1.25, output: 10, cachedInput: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cachedInput: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cachedInput: 0.005 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275 },
  'claude-sonnet-4-5': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-haiku-4-5': { input: 1, output: 5, cachedInput: 0.1 },
  'gemini-2.5-pro': { input: 1.25, output: 10, cachedInput: 0.31 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cachedInput: 0.075 },
};

export interface UsageLineItem {
  readonly sku: string;
  readonly quantity: number;
  readonly unit_price: number;
  readonly amount: number;
  readonly description: string;
}

/** Distinct connection/model pairs whose token prices are remembered (and models whose descriptions are); clients can name any model, so this is bounded. */
const RESOLVED_PRICES_LIMIT = 1_000;

/** JSON for a number, as JSON.stringify writes it. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * The line items as JSON text, the same text JSON.stringify gives. Every
 * JSON reply carries them, and the generic serializer looked up each
 * property of each item and escaped each string anew; here the items of one
 * call share their description, and the SKUs are a few constants, so each
 * string is escaped once.
 */
export function lineItemsJson(lineItems: readonly UsageLineItem[]): string {
  let json = '[';
  let description: string | undefined;
  let descriptionJson = '';
  for (let index = 0; index < lineItems.length; index += 1) {
    const item = lineItems[index]!;
    if (item.description !== description) {
      description = item.description;
      descriptionJson = descriptionsJson.of(description);
    }
    if (index > 0) json += ',';
    json += `{"sku":${skuJson.of(item.sku)},"quantity":${jsonNumber(item.quantity)},"unit_price":${jsonNumber(item.unit_price)},"amount":${jsonNumber(item.amount)},"description":${descriptionJson}}`;
  }
  return `${json}]`;
}

/** SKUs are the constants below (bounded anyway, as a guard against a caller that makes them up). */
const skuJson = new JsonTextCache(100);
/** Descriptions name the model a client asked for: one per model in use, kept by PriceTable. */
const descriptionsJson = new JsonTextCache(RESOLVED_PRICES_LIMIT);

export interface PricedUsage {
  readonly cost: number;
  readonly lineItems: UsageLineItem[];
}

const PER_TOKEN = 1 / 1_000_000;

/** Rounds away float noise (0.1 + 0.2) without losing the precision of tiny per-token amounts. */
function money(value: number): number {
  return Number(value.toPrecision(12));
}

/** Per-token prices of one model, rounded once. */
interface TokenPrices {
  readonly input: number;
  readonly output: number;
  readonly cachedInput: number;
}

export class PriceTable {
  private readonly prices: Map<string, ModelPrice>;
  /** connection → model → token prices; every call is priced, and resolving builds a key and rounds three numbers. */
  private readonly resolved = new Map<string, Map<string, TokenPrices>>();
  private resolvedCount = 0;
  /** Line-item descriptions by the model name the client used, so a model's calls share one string (and its JSON, see lineItemsJson). */
  private readonly descriptions = new Map<string, string>();

  constructor(overrides: Record<string, ModelPrice> = {}) {
    this.prices = new Map(Object.entries({ ...DEFAULT_PRICES, ...overrides }));
  }

  /** A connection-specific price (`groq/llama-3.3-70b`) wins over the model's general one. */
  priceOf(connection: string, model: string): ModelPrice | undefined {
    return this.prices.get(`${connection}/${model}`) ?? this.prices.get(model);
  }

  /** The spec's `generated_usage` line items for one chat completion. */
  price(usage: { connection: string; model: string; label: string; promptTokens: number; completionTokens: number; cachedTokens: number }): PricedUsage {
    const prices = this.tokenPricesOf(usage.connection, usage.model);
    const description = this.descriptionOf(usage.label);
    const cached = Math.min(usage.cachedTokens, usage.promptTokens);
    const item = (sku: string, quantity: number, unitPrice: number): UsageLineItem => ({
      sku,
      quantity,
      unit_price: unitPrice,
      amount: unitPrice === 0 ? 0 : money(quantity * unitPrice),
      description,
    });
    const lineItems = [
      item('inference.chat_completions.in', usage.promptTokens - cached, prices.input),
      item('inference.chat_completions.out', usage.completionTokens, prices.output),
    ];
    if (cached > 0) lineItems.push(item('inference.chat_completions.in.cached', cached, prices.cachedInput));
    let total = 0;
    for (const line of lineItems) total += line.amount;
    return { cost: total === 0 ? 0 : money(total), lineItems };
  }

  private descriptionOf(label: string): string {
    let description = this.descriptions.get(label);
    if (description === undefined) {
      description = `Inference for AI model '${label}'`;
      if (this.descriptions.size >= RESOLVED_PRICES_LIMIT) this.descriptions.clear();
      this.descriptions.set(label, description);
    }
    return description;
  }

  private tokenPricesOf(connection: string, model: string): TokenPrices {
    let byModel = this.resolved.get(connection);
    const known = byModel?.get(model);
    if (known) return known;
    const price = this.priceOf(connection, model) ?? { input: 0, output: 0 };
    const prices: TokenPrices = {
      input: money(price.input * PER_TOKEN),
      output: money(price.output * PER_TOKEN),
      cachedInput: money((price.cachedInput ?? price.input) * PER_TOKEN),
    };
    if (this.resolvedCount >= RESOLVED_PRICES_LIMIT) {
      this.resolved.clear();
      this.resolvedCount = 0;
      byModel = undefined;
    }
    if (!byModel) {
      byModel = new Map();
      this.resolved.set(connection, byModel);
    }
    byModel.set(model, prices);
    this.resolvedCount += 1;
    return prices;
  }
}
