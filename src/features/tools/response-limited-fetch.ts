const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * Wraps a fetch so no response body can grow past `maxBytes`: the MCP SDK reads
 * whole responses into memory, and the server is tenant-chosen. Past the limit
 * the body stream errors, which the SDK reports as a failed request.
 */
export function responseLimitedFetch(fetchImpl: typeof fetch, maxBytes: number): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    // A Response cannot be rebuilt with a body for these statuses, and they carry none.
    if (!response.body || NULL_BODY_STATUSES.has(response.status)) return response;
    let size = 0;
    const limited = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          size += chunk.byteLength;
          if (size > maxBytes) controller.error(new Error(`The response is larger than the ${maxBytes}-byte limit.`));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(limited, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
