/** One event as an EventSource hands it over: data lines joined by newlines, `event` defaulting to `message`. */
export interface ReceivedEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/**
 * Parses a `text/event-stream` body the way the EventSource specification
 * does (comments ignored, one leading space stripped, multi-line data joined),
 * yielding events as they arrive.
 */
export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<ReceivedEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let id: string | undefined;
  let event = '';
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.search(/\r\n|\r|\n/);
    while (newline !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) yield { id, event: event || 'message', data: data.join('\n') };
        event = '';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') data.push(value);
        else if (field === 'event') event = value;
        else if (field === 'id') id = value;
      }
      newline = buffer.search(/\r\n|\r|\n/);
    }
  }
}

/** Opens an event stream with fetch and returns its reader plus a way to hang up early. */
export async function openEventStream(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown },
): Promise<{ status: number; contentType: string | null; events: AsyncGenerator<ReceivedEvent>; close: () => void; text: () => Promise<string> }> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { accept: 'text/event-stream', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: controller.signal,
  });
  const body = response.body;
  if (!body) throw new Error('the response has no body');
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events: readEventStream(body),
    close: () => controller.abort(),
    text: () => new Response(body).text(),
  };
}

/**
 * Reads events until `until` holds for one (included) or the stream ends.
 * It calls next() by hand: leaving a for-await loop early would close the
 * stream, and tests read the rest of it later.
 */
export async function collectEvents(events: AsyncGenerator<ReceivedEvent>, until?: (event: ReceivedEvent) => boolean): Promise<ReceivedEvent[]> {
  const received: ReceivedEvent[] = [];
  for (let result = await events.next(); !result.done; result = await events.next()) {
    received.push(result.value);
    if (until?.(result.value)) break;
  }
  return received;
}

/** The reply text a conversation stream carried: its unnamed events, concatenated. */
export function replyTextOf(events: readonly ReceivedEvent[]): string {
  return events
    .filter((event) => event.event === 'message')
    .map((event) => event.data)
    .join('');
}
