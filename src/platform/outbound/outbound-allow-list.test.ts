import { describe, expect, it } from 'vitest';
import { parseOutboundAllowList } from './outbound-allow-list.js';

describe('parseOutboundAllowList', () => {
  it('treats unset, empty and blank entries as an empty list', () => {
    for (const text of [undefined, '', ' , ,']) {
      const allowList = parseOutboundAllowList(text);
      expect(allowList.allowsHostname('localhost')).toBe(false);
      expect(allowList.allowsAddress('127.0.0.1', 4)).toBe(false);
    }
  });

  it('sorts hostnames, addresses and ranges apart', () => {
    const allowList = parseOutboundAllowList(' ollama.internal , 192.168.1.10,10.0.0.0/8 , fd00::/8, ::1, my_host.lan. ');
    expect(allowList.allowsHostname('OLLAMA.internal')).toBe(true);
    expect(allowList.allowsHostname('my_host.lan')).toBe(true);
    expect(allowList.allowsAddress('192.168.1.10', 4)).toBe(true);
    expect(allowList.allowsAddress('10.200.0.1', 4)).toBe(true);
    expect(allowList.allowsAddress('fdff::1', 6)).toBe(true);
    expect(allowList.allowsAddress('::1', 6)).toBe(true);
    expect(allowList.allowsHostname('192.168.1.10')).toBe(false);
  });

  it.each([
    ['10.0.0.0/33', 'prefix length must be 0 to 32'],
    ['fd00::/129', 'prefix length must be 0 to 128'],
    ['10.0.0.0/', 'prefix length'],
    ['10.0.0.0/8/8', 'not a hostname'],
    ['10.0.0.0/-1', 'prefix length'],
    ['ollama.internal/8', 'not an IP address'],
    ['999.1.2.3', 'not a hostname'],
    ['0x7f.1', 'not a hostname'],
    ['*.internal', 'not a hostname'],
    ['http://ollama.internal', 'not a hostname'],
    ['ollama.internal:11434', 'not a hostname'],
    ['[::1]', 'not a hostname'],
  ])('rejects %j, naming it', (entry, why) => {
    expect(() => parseOutboundAllowList(`localhost, ${entry}`)).toThrow(`AGENTRY_OUTBOUND_ALLOW entry "${entry}"`);
    expect(() => parseOutboundAllowList(entry)).toThrow(why);
  });
});
