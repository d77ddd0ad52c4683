import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CallbackReceiver, startCallbackReceiver } from './support/callback-receiver.js';
import { type DirectToolSources, directToolSources } from './support/tool-sources.js';

const signal = new AbortController().signal;

describe('systemInstructionsSources', () => {
  let receiver: CallbackReceiver;
  let direct: DirectToolSources;

  beforeAll(async () => {
    receiver = await startCallbackReceiver();
    receiver.reply('/policy', { body: '  Always answer in Portuguese.\n', contentType: 'text/plain' });
    receiver.reply('/faq', { body: '# FAQ\nShipping takes 3 days.', contentType: 'text/markdown' });
    receiver.reply('/down', { status: 502, body: 'bad gateway' });
    receiver.reply('/slow', { delayMs: 2_000, body: 'too late' });
    receiver.reply('/huge', { bytes: 5_000 });
    receiver.reply('/empty', { body: '', contentType: 'text/plain' });
  });
  afterAll(async () => {
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    direct = directToolSources({ allow: '127.0.0.1', limits: { sourceTimeoutMs: 300, instructionMaxBytes: 1_000, failureTtlMs: 60_000 } });
    return () => direct.close();
  });

  const source = (name: string, path: string, extra: Record<string, unknown> = {}) => ({ name, url: `${receiver.url}${path}`, ...extra });

  it('fetches the texts in order, with the configured headers', async () => {
    const texts = await direct.sources.instructionsFor(
      'org-a',
      { systemInstructionsSources: [source('policy', '/policy', { headers: { authorization: 'Bearer docs' } }), source('faq', '/faq')] },
      { signal },
    );
    expect(texts).toEqual(['Always answer in Portuguese.', '# FAQ\nShipping takes 3 days.']);
    expect(receiver.last('/policy').headers.authorization).toBe('Bearer docs');
  });

  it('skips failing, slow, oversized and empty sources and keeps the rest', async () => {
    const started = Date.now();
    const texts = await direct.sources.instructionsFor(
      'org-a',
      {
        systemInstructionsSources: [
          source('down', '/down'),
          source('slow', '/slow'),
          source('huge', '/huge'),
          source('empty', '/empty'),
          { name: 'closed', url: 'http://127.0.0.1:1/closed' },
          source('policy', '/policy'),
        ],
      },
      { signal },
    );
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(texts).toEqual(['Always answer in Portuguese.']);
  });

  it('keeps a text for cacheDuration seconds per organization, and a failure for a while', async () => {
    const parameters = { systemInstructionsSources: [source('policy', '/policy', { cacheDuration: 60 }), source('down', '/down', { cacheDuration: 60 })] };
    for (let turn = 0; turn < 3; turn += 1) {
      expect(await direct.sources.instructionsFor('org-a', parameters, { signal })).toEqual(['Always answer in Portuguese.']);
    }
    expect(receiver.count('/policy')).toBe(1);
    expect(receiver.count('/down')).toBe(1);
    await direct.sources.instructionsFor('org-b', parameters, { signal });
    expect(receiver.count('/policy')).toBe(2);
  });

  it('fetches every time with cacheDuration 0, and again once the duration is over', async () => {
    await direct.sources.instructionsFor('org-a', { systemInstructionsSources: [source('policy', '/policy', { cacheDuration: 0 })] }, { signal });
    await direct.sources.instructionsFor('org-a', { systemInstructionsSources: [source('policy', '/policy', { cacheDuration: 0 })] }, { signal });
    expect(receiver.count('/policy')).toBe(2);

    const brief = { systemInstructionsSources: [source('faq', '/faq', { cacheDuration: 1 })] };
    await direct.sources.instructionsFor('org-a', brief, { signal });
    await direct.sources.instructionsFor('org-a', brief, { signal });
    expect(receiver.count('/faq')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await direct.sources.instructionsFor('org-a', brief, { signal });
    expect(receiver.count('/faq')).toBe(2);
  });

  it('stops waiting when the turn is cancelled', async () => {
    const controller = new AbortController();
    const pending = direct.sources.instructionsFor('org-a', { systemInstructionsSources: [source('slow', '/slow')] }, { signal: controller.signal });
    controller.abort(new Error('turn cancelled'));
    await expect(pending).rejects.toThrow('turn cancelled');
  });
});
