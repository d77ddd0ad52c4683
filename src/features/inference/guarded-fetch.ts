import { type Dispatcher, fetch as undiciFetch } from 'undici';
import type { FetchFor } from './ai-sdk-provider.js';

/**
 * Builds the `fetch` AI SDK providers get, over the guarded outbound clients'
 * dispatchers, so their calls obey the same address policy and per-connection
 * timeouts as the OpenAI-compatible path's `OutboundRequest`.
 */
export function createFetchFor(dispatchers: { readonly tenant: Dispatcher; readonly operator: Dispatcher }): FetchFor {
  // Few distinct (trust, timeout) pairs exist; each composed dispatcher is built once and shares its agent's pool.
  const built = new Map<string, typeof fetch>();
  return ({ trusted, timeoutMs }) => {
    const key = `${trusted}:${timeoutMs}`;
    let guarded = built.get(key);
    if (!guarded) {
      const dispatcher = (trusted ? dispatchers.operator : dispatchers.tenant).compose(
        (dispatch) => (options, handler) => dispatch({ ...options, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }, handler),
      );
      const call = (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
        undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
      // undici's Response is the one Node's global fetch returns; only the declared types differ.
      guarded = call as unknown as typeof fetch;
      built.set(key, guarded);
    }
    return guarded;
  };
}
