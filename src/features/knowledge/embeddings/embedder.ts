/**
 * Turns texts into vectors for knowledge search. Implementations run off the request path:
 * the built-in model in a worker thread, a connection's model over HTTP.
 */
export interface Embedder {
  /** The id a collection records, e.g. `local` or `openai:text-embedding-3-small`. */
  readonly model: string;
  /** Vector length. Known up front for the built-in model; a connection's model reports it on its first call. */
  dimensions(signal?: AbortSignal): Promise<number>;
  /** One unit-length vector per text, in the order given, so a dot product is the cosine similarity. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}
