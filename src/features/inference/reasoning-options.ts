type JsonValue = null | string | number | boolean | JsonValue[] | { [key: string]: JsonValue };
/** The AI SDK's `providerOptions` shape (its type lives in a package we do not depend on directly). */
export type ProviderOptions = Record<string, Record<string, JsonValue>>;

/**
 * Thinking tokens per OpenAI `reasoning_effort`, for providers that take a budget
 * instead of an effort (Anthropic's extended thinking needs at least 1,024).
 */
const THINKING_BUDGETS: Readonly<Record<string, number>> = {
  minimal: 1_024,
  low: 2_048,
  medium: 8_192,
  high: 24_576,
  xhigh: 32_768,
};

/**
 * The provider options that carry an OpenAI `reasoning_effort` to Anthropic
 * (extended thinking with a token budget) and Gemini (a thinking budget, with the
 * thoughts returned so they reach the client as `reasoning_content`). `none`
 * turns thinking off; an effort we do not know is left to the provider's default.
 */
export function reasoningProviderOptions(connectionType: string, effort: string | null | undefined): ProviderOptions | undefined {
  if (!effort) return undefined;
  const normalized = effort.toLowerCase();
  const budget = THINKING_BUDGETS[normalized];
  if (connectionType === 'Anthropic') {
    if (normalized === 'none') return { anthropic: { thinking: { type: 'disabled' } } };
    return budget === undefined ? undefined : { anthropic: { thinking: { type: 'enabled', budgetTokens: budget } } };
  }
  if (connectionType === 'Gemini') {
    if (normalized === 'none') return { google: { thinkingConfig: { thinkingBudget: 0 } } };
    return budget === undefined ? undefined : { google: { thinkingConfig: { thinkingBudget: budget, includeThoughts: true } } };
  }
  return undefined;
}
