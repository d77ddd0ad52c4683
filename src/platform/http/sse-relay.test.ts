import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { SseRelay } from './sse-relay.js';

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('SseRelay', () => {
  it('passes bytes through unchanged and reports each data payload, even when frames are split across chunks', async () => {
    const seen: string[] = [];
    const relay = new SseRelay({ pingIntervalMs: 0, onData: (data) => seen.push(data) });
    const output = text(relay);
    relay.write('data: {"a":1}\n\ndata: {"b"');
    relay.write(':2}\n\n: comment\n\ndata: [DONE]\n\n');
    relay.end();
    expect(await output).toBe('data: {"a":1}\n\ndata: {"b":2}\n\n: comment\n\ndata: [DONE]\n\n');
    expect(seen).toEqual(['{"a":1}', '{"b":2}', '[DONE]']);
  });

  it('sends a keep-alive comment after a silence, and none once it ends', async () => {
    const relay = new SseRelay({ pingIntervalMs: 30 });
    const output = text(relay);
    await delay(80);
    relay.end('data: x\n\n');
    const body = await output;
    expect(body.startsWith(': ping\n\n')).toBe(true);
    expect(body.endsWith('data: x\n\n')).toBe(true);
  });

  it('never pings inside a half-received frame', async () => {
    const relay = new SseRelay({ pingIntervalMs: 30 });
    const output = text(relay);
    relay.write('data: {"half":');
    await delay(100);
    relay.write('1}\n\n');
    await delay(80);
    relay.end();
    const body = await output;
    expect(body.startsWith('data: {"half":1}\n\n')).toBe(true);
    expect(body).toContain(': ping');
  });

  it('drops the frames it is told to, forwarding the others whole', async () => {
    let first = 0;
    const relay = new SseRelay({ pingIntervalMs: 0, dropData: (data) => data.includes('"usage"'), onFirstChunk: () => (first += 1) });
    const output = text(relay);
    relay.write('data: {"choices":[1]}\n\ndata: {"choices":[],"us');
    relay.write('age":{"prompt_tokens":3}}\n\ndata: [DONE]\n\n');
    relay.end();
    expect(await output).toBe('data: {"choices":[1]}\n\ndata: [DONE]\n\n');
    expect(first).toBe(1);
  });

  it('replaces a literal in every frame, in both modes', async () => {
    for (const dropData of [undefined, () => false]) {
      const relay = new SseRelay({ pingIntervalMs: 0, replace: { from: '"model":"m"', to: '"model":"@c/m"' }, ...(dropData ? { dropData } : {}) });
      const output = text(relay);
      relay.end('data: {"model":"m","x":1}\n\ndata: {"model":"m"}\n\n');
      expect(await output).toBe('data: {"model":"@c/m","x":1}\n\ndata: {"model":"@c/m"}\n\n');
    }
  });

  it('ends with an OpenAI-shaped error event', async () => {
    const relay = new SseRelay({ pingIntervalMs: 0 });
    const output = text(relay);
    relay.write('data: {"choices":[]}\n\n');
    relay.failWith({ message: 'upstream closed', type: 'upstream_error', code: 'upstream_disconnected' });
    const body = await output;
    expect(body).toContain('data: {"error":{"message":"upstream closed","type":"upstream_error","code":"upstream_disconnected","param":null}}');
  });
});
