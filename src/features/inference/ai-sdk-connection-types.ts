/** Connection types served through the AI SDK adapter (kept apart so naming them does not load the SDK). */
export const AI_SDK_CONNECTION_TYPES: ReadonlySet<string> = new Set(['Anthropic', 'Gemini']);
