import { describe, expect, it } from 'vitest';
import { PriceTable, type UsageLineItem, lineItemsJson } from './price-table.js';

describe('PriceTable', () => {
  it('prices input, output and cached input as separate line items', () => {
    const priced = new PriceTable().price({
      connection: 'openai',
      model: 'gpt-5-mini',
      label: '@openai/gpt-5-mini',
      promptTokens: 1876,
      completionTokens: 16,
      cachedTokens: 1792,
    });
    expect(priced.lineItems).toEqual([
      { sku: 'inference.chat_completions.in', quantity: 84, unit_price: 2.5e-7, amount: 0.000021, description: "Inference for AI model '@openai/gpt-5-mini'" },
      { sku: 'inference.chat_completions.out', quantity: 16, unit_price: 0.000002, amount: 0.000032, description: "Inference for AI model '@openai/gpt-5-mini'" },
      { sku: 'inference.chat_completions.in.cached', quantity: 1792, unit_price: 2.5e-8, amount: 0.0000448, description: "Inference for AI model '@openai/gpt-5-mini'" },
    ]);
    expect(priced.cost).toBe(0.0000978);
  });

  it('lets operators override and add prices, connection-specific first', () => {
    const table = new PriceTable({ 'my-model': { input: 1, output: 2 }, 'groq/gpt-4o': { input: 0, output: 0 } });
    expect(table.price({ connection: 'x', model: 'my-model', label: 'm', promptTokens: 1_000_000, completionTokens: 500_000, cachedTokens: 0 }).cost).toBe(2);
    expect(table.priceOf('groq', 'gpt-4o')).toEqual({ input: 0, output: 0 });
    expect(table.priceOf('openai', 'gpt-4o')?.input).toBe(2.5);
  });

  it('counts tokens of unknown models at no cost', () => {
    const priced = new PriceTable().price({ connection: 'x', model: 'mystery', label: 'm', promptTokens: 10, completionTokens: 5, cachedTokens: 0 });
    expect(priced.cost).toBe(0);
    expect(priced.lineItems.map((line) => line.quantity)).toEqual([10, 5]);
  });

  it('prices each connection by its own rates once they are remembered, also past the limit of remembered models', () => {
    const table = new PriceTable({ 'groq/gpt-4o': { input: 0.5, output: 0.5 } });
    const call = (connection: string, model: string) => table.price({ connection, model, label: model, promptTokens: 1_000_000, completionTokens: 0, cachedTokens: 0 }).cost;
    for (let round = 0; round < 2; round += 1) {
      expect(call('openai', 'gpt-4o')).toBe(2.5);
      expect(call('groq', 'gpt-4o')).toBe(0.5);
    }
    for (let index = 0; index < 1_100; index += 1) expect(call('x', `model-${index}`)).toBe(0);
    expect(call('openai', 'gpt-4o')).toBe(2.5);
    expect(call('groq', 'gpt-4o')).toBe(0.5);
  });

  it('writes line items as JSON.stringify does, however they are priced and named', () => {
    const table = new PriceTable({ 'x/free': { input: 0, output: 0 } });
    const labels = ['@openai/gpt-5-mini', 'it\'s "quoted" \\ é 😀\n', ''];
    for (const label of labels) {
      for (const [connection, model] of [['openai', 'gpt-5-mini'], ['x', 'free'], ['x', 'unknown']] as const) {
        const { lineItems } = table.price({ connection, model, label, promptTokens: 1234, completionTokens: 56, cachedTokens: 1000 });
        expect(lineItemsJson(lineItems)).toBe(JSON.stringify(lineItems));
      }
    }
    const odd: UsageLineItem[] = [
      { sku: 'a', quantity: Number.NaN, unit_price: Number.POSITIVE_INFINITY, amount: -0, description: 'one' },
      { sku: 'b"c', quantity: 1e21, unit_price: 1e-7, amount: 0.1 + 0.2, description: 'two' },
    ];
    expect(lineItemsJson(odd)).toBe(JSON.stringify(odd));
    expect(lineItemsJson([])).toBe('[]');
  });
});
