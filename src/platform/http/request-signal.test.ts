import { describe, expect, it } from 'vitest';
import { ClientDisconnect, abortSignalOf } from './request-signal.js';

describe('ClientDisconnect', () => {
  it('emits abort once, with its reason, and an AbortSignal asked for earlier follows it', () => {
    const disconnect = new ClientDisconnect();
    const signal = disconnect.signal;
    let emitted = 0;
    disconnect.on('abort', () => (emitted += 1));
    const reason = new Error('client disconnected');
    disconnect.abort(reason);
    disconnect.abort(new Error('again'));
    expect(emitted).toBe(1);
    expect(disconnect.aborted).toBe(true);
    expect(disconnect.reason).toBe(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });

  it('gives an already aborted signal when asked after the client left', () => {
    const disconnect = new ClientDisconnect();
    disconnect.abort('gone');
    expect(abortSignalOf(disconnect).aborted).toBe(true);
    expect(abortSignalOf(disconnect).reason).toBe('gone');
  });

  it('passes a real AbortSignal through unchanged', () => {
    const controller = new AbortController();
    expect(abortSignalOf(controller.signal)).toBe(controller.signal);
  });
});
