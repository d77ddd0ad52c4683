import { describe, expect, it } from 'vitest';
import { assertOutboundUrl } from './assert-outbound-url.js';
import { InvalidOutboundUrlError, OutboundAddressRefusedError } from './outbound-errors.js';
import { OutboundPolicy } from './outbound-policy.js';
import { ipLiteralOf, parseOutboundUrl } from './outbound-url.js';

describe('parseOutboundUrl', () => {
  it('accepts http and https URLs', () => {
    expect(parseOutboundUrl('https://api.example.com/v1?x=1').hostname).toBe('api.example.com');
    expect(parseOutboundUrl(new URL('http://example.com:8080/')).port).toBe('8080');
  });

  it.each([
    ['ftp://example.com/', 'unsupported_scheme'],
    ['file:///etc/passwd', 'unsupported_scheme'],
    ['javascript:alert(1)', 'unsupported_scheme'],
    ['http://user:secret@example.com/', 'credentials'],
    ['https://:secret@example.com/', 'credentials'],
    ['http://token@example.com/', 'credentials'],
    ['', 'unparsable'],
    ['example.com/path', 'unparsable'],
    ['http://exa mple.com/', 'unparsable'],
  ])('rejects %j (%s) without echoing secrets', (url, reason) => {
    const error = (() => {
      try {
        parseOutboundUrl(url);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidOutboundUrlError);
    expect(error).toMatchObject({ kind: 'invalid', code: 'invalid_outbound_url', details: { reason } });
    expect((error as Error).message).not.toMatch(/secret|token/);
  });
});

describe('ipLiteralOf', () => {
  it('recognizes IPv4 and bracketed IPv6 hostnames, not names', () => {
    expect(ipLiteralOf('10.0.0.5')).toEqual({ address: '10.0.0.5', family: 4 });
    expect(ipLiteralOf('[::1]')).toEqual({ address: '::1', family: 6 });
    expect(ipLiteralOf('example.com')).toBeUndefined();
  });
});

describe('assertOutboundUrl', () => {
  const defaults = new OutboundPolicy();

  it('refuses refused IP literals without resolving anything', async () => {
    await expect(assertOutboundUrl('http://169.254.169.254/latest', defaults)).rejects.toMatchObject({
      code: 'outbound_address_refused',
      addressClass: 'metadata',
    });
    await expect(assertOutboundUrl('http://[::1]:8080/', defaults)).rejects.toBeInstanceOf(OutboundAddressRefusedError);
  });

  it('accepts a public IP literal', async () => {
    expect((await assertOutboundUrl('https://8.8.8.8/dns', defaults)).href).toBe('https://8.8.8.8/dns');
  });

  it('resolves names and refuses one that points at loopback', async () => {
    await expect(assertOutboundUrl('http://localhost:11434/', defaults)).rejects.toMatchObject({
      hostname: 'localhost',
      addressClass: 'loopback',
    });
    const allowed = await assertOutboundUrl('http://localhost:11434/', OutboundPolicy.fromSetting('localhost'));
    expect(allowed.port).toBe('11434');
  });

  it('rejects a name that does not resolve', async () => {
    // `.invalid` is reserved never to resolve (RFC 2606).
    await expect(assertOutboundUrl('https://nothing-here.invalid/', defaults)).rejects.toMatchObject({
      code: 'invalid_outbound_url',
      details: { reason: 'unresolvable' },
    });
  });

  it('validates the URL before anything else', async () => {
    await expect(assertOutboundUrl('ftp://8.8.8.8/', defaults)).rejects.toBeInstanceOf(InvalidOutboundUrlError);
  });

  it('stops when its signal has already fired', async () => {
    await expect(assertOutboundUrl('http://localhost/', defaults, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
