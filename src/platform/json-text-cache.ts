/**
 * The JSON text of strings that recur from a small set (HTTP methods, route
 * templates, SKUs), made once each rather than on every hot-path line that
 * writes them. Bounded: past `limit` distinct values, new ones are encoded
 * each time instead of kept.
 */
export class JsonTextCache {
  readonly #texts = new Map<string, string>();

  constructor(private readonly limit: number) {}

  of(value: string): string {
    let text = this.#texts.get(value);
    if (text === undefined) {
      text = JSON.stringify(value);
      if (this.#texts.size < this.limit) this.#texts.set(value, text);
    }
    return text;
  }
}
