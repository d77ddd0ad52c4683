import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { SseRelay, type SseRelayOptions } from './sse-relay.js';

/** A relay reading a source the test writes to, as the gateway hands it the provider's response body. */
function relayOf(options: SseRelayOptions): { relay: SseRelay; source: PassThrough } {
  const source = new PassThrough();
  return { relay: new SseRelay(source, options), source };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('SseRelay', () => {
  it('passes bytes through unchanged and reports each data payload, even when frames are split across chunks', async () => {
    const seen: string[] = [];
    const { relay, source } = relayOf({ pingIntervalMs: 0, onData: (data) => seen.push(data) });
    const output = text(relay);
    source.write('data: {"a":1}\n\ndata: {"b"');
    source.write(':2}\n\n: comment\n\ndata: [DONE]\n\n');
    source.end();
    expect(await output).toBe('data: {"a":1}\n\ndata: {"b":2}\n\n: comment\n\ndata: [DONE]\n\n');
    expect(seen).toEqual(['{"a":1}', '{"b":2}', '[DONE]']);
  });

  it('reads every shape of frame alike, one line or several, whatever the line ends, in every mode', async () => {
    const chunks = [
      'data: {"one":1}\n\nevent: delta\ndata: {"two":',
      '2}\n\n: comment\n\ndata:{"three":3}\n\ndata:   {"four":4}\n\ndata:\n\ndata: \n\n',
      'data: {"five":5}\r\n\r\ndata: {"six":',
      '6}\ndata: {"seven":7}\n\nid: 8\r\ndata: {"eight":8}\r\n\r\ndata: {"nine":9}\n',
      '\ndata: {"ten":10}\r\n\ndata: [DONE]\n\n',
    ];
    const payloads = ['{"one":1}', '{"two":2}', '{"three":3}', '{"four":4}', '{"five":5}', '{"six":6}\n{"seven":7}', '{"eight":8}', '{"nine":9}', '{"ten":10}', '[DONE]'];
    const modes: Array<Omit<SseRelayOptions, 'pingIntervalMs' | 'onData'>> = [{}, { dropData: () => false }, { replace: { from: '"one"', to: '"uno"' } }];
    for (const mode of modes) {
      const seen: string[] = [];
      const { relay, source } = relayOf({ pingIntervalMs: 0, onData: (data) => seen.push(data), ...mode });
      const output = text(relay);
      for (const chunk of chunks) source.write(chunk);
      source.end();
      const sent = chunks.join('');
      expect(await output).toBe(mode.replace ? sent.replace('"one"', '"uno"') : sent);
      expect(seen).toEqual(payloads);
    }
  });

  it('sends a keep-alive comment after a silence, and none once it ends', async () => {
    const { relay, source } = relayOf({ pingIntervalMs: 30 });
    const output = text(relay);
    await delay(80);
    source.end('data: x\n\n');
    const body = await output;
    expect(body.startsWith(': ping\n\n')).toBe(true);
    expect(body.endsWith('data: x\n\n')).toBe(true);
  });

  it('never pings inside a half-received frame', async () => {
    const { relay, source } = relayOf({ pingIntervalMs: 30 });
    const output = text(relay);
    source.write('data: {"half":');
    await delay(100);
    source.write('1}\n\n');
    await delay(80);
    source.end();
    const body = await output;
    expect(body.startsWith('data: {"half":1}\n\n')).toBe(true);
    expect(body).toContain(': ping');
  });

  it('finds frames ended by CRLF blank lines too, and replaces the literal in every forwarded frame', async () => {
    const seen: string[] = [];
    const { relay, source } = relayOf({
      pingIntervalMs: 0,
      onData: (data) => seen.push(data),
      dropData: (data) => data.includes('"usage"'),
      replace: { from: '"model":"up"', to: '"model":"@c/up"' },
    });
    const output = text(relay);
    source.write('data: {"model":"up","n":1}\r\n\r\ndata: {"usage":{}}\r\n');
    source.write('\r\ndata: {"model":"up","n":2,"also":{"model":"up"}}\n\ndata: [DONE]\r\n\r\n');
    source.end();
    expect(await output).toBe('data: {"model":"@c/up","n":1}\r\n\r\ndata: {"model":"@c/up","n":2,"also":{"model":"@c/up"}}\n\ndata: [DONE]\r\n\r\n');
    expect(seen).toEqual(['{"model":"up","n":1}', '{"usage":{}}', '{"model":"up","n":2,"also":{"model":"up"}}', '[DONE]']);
  });

  it('drops the frames it is told to, forwarding the others whole', async () => {
    let first = 0;
    const { relay, source } = relayOf({ pingIntervalMs: 0, dropData: (data) => data.includes('"usage"'), onFirstChunk: () => (first += 1) });
    const output = text(relay);
    source.write('data: {"choices":[1]}\n\ndata: {"choices":[],"us');
    source.write('age":{"prompt_tokens":3}}\n\ndata: [DONE]\n\n');
    source.end();
    expect(await output).toBe('data: {"choices":[1]}\n\ndata: [DONE]\n\n');
    expect(first).toBe(1);
  });

  it('observes a last frame that never got its blank line, and drops it or sends it as it came', async () => {
    for (const [last, sent] of [
      ['data: {"choices":[],"usage":{}}\n', 'data: {"choices":[1]}\n\n'],
      ['data: {"choices":[2]}', 'data: {"choices":[1]}\n\ndata: {"choices":[2]}'],
    ] as const) {
      const seen: string[] = [];
      const { relay, source } = relayOf({ pingIntervalMs: 0, onData: (data) => seen.push(data), dropData: (data) => data.includes('"usage"') });
      const output = text(relay);
      source.write('data: {"choices":[1]}\n\n');
      source.end(last);
      expect(await output).toBe(sent);
      expect(seen).toEqual(['{"choices":[1]}', last.trim().slice('data: '.length)]);
    }
  });

  it('replaces a literal in every frame, in both modes', async () => {
    for (const dropData of [undefined, () => false]) {
      const { relay, source } = relayOf({ pingIntervalMs: 0, replace: { from: '"model":"m"', to: '"model":"@c/m"' }, ...(dropData ? { dropData } : {}) });
      const output = text(relay);
      source.end('data: {"model":"m","x":1}\n\ndata: {"model":"m"}\n\n');
      expect(await output).toBe('data: {"model":"@c/m","x":1}\n\ndata: {"model":"@c/m"}\n\n');
    }
  });

  it('replaces a literal split across network chunks, forwarding each frame once it is whole', async () => {
    const { relay, source } = relayOf({ pingIntervalMs: 0, replace: { from: '"model":"gpt-x"', to: '"model":"@c/gpt-x"' } });
    const output: string[] = [];
    relay.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    const ended = new Promise((resolve) => relay.on('end', resolve));
    source.write('data: {"id":1,"mod');
    source.write('el":"gp');
    await delay(5);
    // Nothing of an unfinished frame goes out.
    expect(output).toEqual([]);
    source.write('t-x","n":"\\"model"}\n\n');
    source.write('data: {"model":"gpt-x"}\n\ndata: {"mo');
    source.end();
    await ended;
    expect(output[0]).toBe('data: {"id":1,"model":"@c/gpt-x","n":"\\"model"}\n\n');
    // A last frame that never got its blank line goes out at the end as it came.
    expect(output.join('')).toBe('data: {"id":1,"model":"@c/gpt-x","n":"\\"model"}\n\ndata: {"model":"@c/gpt-x"}\n\ndata: {"mo');
  });

  it('keeps a multi-byte character split across chunks whole, in every mode', async () => {
    const frame = Buffer.from('data: {"model":"m","content":"é😀"}\n\n', 'utf8');
    const emoji = frame.indexOf(Buffer.from('😀'));
    const cuts = [frame.indexOf(Buffer.from('é')) + 1, emoji + 1, emoji + 3];
    const modes = [{}, { replace: { from: '"model":"m"', to: '"model":"@c/m"' } }, { dropData: () => false }, { rewriteOnce: () => undefined }];
    for (const mode of modes) {
      const seen: string[] = [];
      const { relay, source } = relayOf({ pingIntervalMs: 0, onData: (data) => seen.push(data), ...mode });
      const output = text(relay);
      let start = 0;
      for (const cut of [...cuts, frame.length]) {
        source.write(frame.subarray(start, cut));
        start = cut;
      }
      source.end();
      const expected = 'replace' in mode ? 'data: {"model":"@c/m","content":"é😀"}\n\n' : frame.toString('utf8');
      expect(await output).toBe(expected);
      expect(seen).toEqual(['{"model":"m","content":"é😀"}']);
    }
  });

  it('forwards the bytes it was given untouched when nothing is rewritten, even an invalid sequence', async () => {
    const { relay, source } = relayOf({ pingIntervalMs: 0 });
    const chunks: Buffer[] = [];
    relay.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise((resolve) => relay.on('end', resolve));
    const bytes = Buffer.concat([Buffer.from('data: "'), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from('"\n\n')]);
    source.write(bytes.subarray(0, 9));
    source.end(bytes.subarray(9));
    await ended;
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it('rewrites the first frame it is told to, and no other', async () => {
    for (const dropData of [undefined, (data: string) => data.includes('"usage"')]) {
      const offered: string[] = [];
      const { relay, source } = relayOf({
        pingIntervalMs: 0,
        replace: { from: '"model":"m"', to: '"model":"@c/m"' },
        rewriteOnce: (data) => {
          offered.push(data);
          return data.includes('"content":"Hi') ? data.replace('"content":"', '"content":"Well, ') : undefined;
        },
        ...(dropData ? { dropData } : {}),
      });
      const output = text(relay);
      source.write('event: chunk\ndata: {"model":"m","content":""}\n\ndata: {"model":"m","content":"Hi"}\n\ndata: {"model":"m","con');
      source.write('tent":"Hi again"}\n\ndata: {"choices":[],"usage":{}}\n\ndata: [DONE]\n\n');
      source.end();
      expect(await output).toBe(
        [
          'event: chunk\ndata: {"model":"@c/m","content":""}\n\n',
          'data: {"model":"@c/m","content":"Well, Hi"}\n\n',
          'data: {"model":"@c/m","content":"Hi again"}\n\n',
          dropData ? '' : 'data: {"choices":[],"usage":{}}\n\n',
          'data: [DONE]\n\n',
        ].join(''),
      );
      expect(offered).toEqual(['{"model":"m","content":""}', '{"model":"m","content":"Hi"}']);
    }
  });

  it('ends with an OpenAI-shaped error event', async () => {
    const { relay, source } = relayOf({ pingIntervalMs: 0 });
    const output = text(relay);
    source.write('data: {"choices":[]}\n\n');
    relay.failWith({ message: 'upstream closed', type: 'upstream_error', code: 'upstream_disconnected' });
    const body = await output;
    expect(body).toContain('data: {"error":{"message":"upstream closed","type":"upstream_error","code":"upstream_disconnected","param":null}}');
  });
});

describe('SseRelay and its source', () => {
  it('pauses the source while the reader is behind, and resumes it when the reader reads', async () => {
    const { relay, source } = relayOf({ pingIntervalMs: 0 });
    const frame = `data: ${'x'.repeat(1_000)}\n\n`;
    for (let index = 0; index < 40; index += 1) source.write(frame);
    await delay(20);
    // Nobody reads the relay yet: it stopped taking chunks once its buffer was full.
    expect(source.isPaused()).toBe(true);
    expect(relay.readableLength).toBeLessThan(40 * frame.length);
    source.end();
    expect(await text(relay)).toBe(frame.repeat(40));
  });

  it('destroys an unfinished source when the reader leaves, and leaves a finished one alone', async () => {
    const first = relayOf({ pingIntervalMs: 0 });
    first.source.write('data: 1\n\n');
    first.relay.destroy();
    await delay(10);
    expect(first.source.destroyed).toBe(true);

    // A source that stays undestroyed after its end unless someone destroys it.
    const finished = new PassThrough({ autoDestroy: false });
    const second = new SseRelay(finished, { pingIntervalMs: 0 });
    finished.end('data: 2\n\n');
    expect(await text(second)).toBe('data: 2\n\n');
    second.destroy();
    expect(finished.readableEnded).toBe(true);
    expect(finished.destroyed).toBe(false);
  });
});

describe('SseRelay written straight to a response', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });

  /** A server that answers each request by sending `relay` to its response; resolves with its address. */
  async function serving(relay: SseRelay): Promise<string> {
    const server = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
      relay.sendTo(response);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  function opened(url: string): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => http.get(url, resolve).on('error', reject));
  }

  it('writes what it held first, then each chunk straight to the response, and ends it as the relay ends', async () => {
    const { relay, source } = relayOf({ pingIntervalMs: 0, replace: { from: '"m"', to: '"@c/m"' } });
    source.write('data: {"model":"m","n":1}\n\n');
    await delay(5);
    expect(relay.readableLength).toBeGreaterThan(0);
    const url = await serving(relay);
    const response = await opened(url);
    // Nothing goes through the relay's own stream once it writes to the response.
    const passedThrough: unknown[] = [];
    relay.on('data', (chunk) => passedThrough.push(chunk));
    const ended = new Promise((resolve) => relay.once('end', resolve));
    const closed = new Promise((resolve) => relay.once('close', resolve));
    const body = text(response);
    source.write('data: {"model":"m","n":2}\n\n');
    source.end('data: [DONE]\n\n');
    expect(await body).toBe('data: {"model":"@c/m","n":1}\n\ndata: {"model":"@c/m","n":2}\n\ndata: [DONE]\n\n');
    await ended;
    await closed;
    expect(passedThrough).toEqual([]);
  });

  it('pauses the source while the client is behind, and resumes it when the client reads', async () => {
    const { relay, source } = relayOf({ pingIntervalMs: 0 });
    const url = await serving(relay);
    const response = await opened(url);
    response.pause();
    const frame = `data: ${'x'.repeat(16_000)}\n\n`;
    let written = 0;
    while (!source.isPaused() && written < 2_000) {
      source.write(frame);
      written += 1;
      await delay(0);
    }
    // The response's and the sockets' buffers filled long before 2,000 frames (32 MB).
    expect(source.isPaused()).toBe(true);
    source.end();
    const body = await text(response);
    expect(body).toBe(frame.repeat(written));
  });

  it('ends the response with an OpenAI-shaped error event', async () => {
    const { relay, source } = relayOf({ pingIntervalMs: 0 });
    const url = await serving(relay);
    const response = await opened(url);
    const body = text(response);
    source.write('data: {"choices":[]}\n\n');
    await delay(5);
    relay.failWith({ message: 'upstream closed', type: 'upstream_error', code: 'upstream_disconnected' });
    expect(await body).toBe('data: {"choices":[]}\n\ndata: {"error":{"message":"upstream closed","type":"upstream_error","code":"upstream_disconnected","param":null}}\n\n');
    expect(source.destroyed || source.listenerCount('data') === 0).toBe(true);
  });
});
