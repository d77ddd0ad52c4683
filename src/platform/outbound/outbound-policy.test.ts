import { describe, expect, it } from 'vitest';
import { OutboundAddressRefusedError } from './outbound-errors.js';
import { OutboundPolicy } from './outbound-policy.js';

const defaults = new OutboundPolicy();

function familyOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

describe('OutboundPolicy defaults', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.255.1.2', 'unspecified'],
    ['10.0.0.5', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'carrier-grade-nat'],
    ['100.127.255.254', 'carrier-grade-nat'],
    ['100.100.100.200', 'metadata'],
    ['127.0.0.1', 'loopback'],
    ['127.1.2.3', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['169.254.10.1', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.192', 'reserved'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fd00:ec2::254', 'metadata'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
  ])('refuses %s as %s', (address, reason) => {
    expect(defaults.check('example.com', address, familyOf(address))).toEqual({ allowed: false, reason });
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:192.168.0.1', 'private'],
  ])('judges the IPv4-mapped %s by its IPv4 address (%s)', (address, reason) => {
    expect(defaults.check('example.com', address, 6)).toEqual({ allowed: false, reason });
  });

  it.each(['1.1.1.1', '8.8.8.8', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '192.0.1.1', '198.20.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'allows the public address %s',
    (address) => {
      expect(defaults.check('example.com', address, familyOf(address))).toEqual({ allowed: true });
    },
  );

  it('refuses what is not an address of the stated family', () => {
    expect(defaults.check('example.com', 'example.com', 4)).toEqual({ allowed: false, reason: 'invalid' });
    expect(defaults.check('example.com', '8.8.8.8', 6)).toEqual({ allowed: false, reason: 'invalid' });
  });

  it('throws a forbidden error naming host, address, class and setting', () => {
    const error = (() => {
      try {
        defaults.assertAllowed('api.internal', '10.0.0.5', 4);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(OutboundAddressRefusedError);
    expect(error).toMatchObject({
      kind: 'forbidden',
      code: 'outbound_address_refused',
      message:
        'Refused to connect to 10.0.0.5 (private address) for host "api.internal": blocked by the outbound address policy; ' +
        'an operator can allow it with AGENTRY_OUTBOUND_ALLOW.',
      details: { host: 'api.internal', address: '10.0.0.5', addressClass: 'private' },
    });
  });
});

describe('OutboundPolicy allow list', () => {
  it('allows every address of an allow-listed hostname, case-insensitively', () => {
    const policy = OutboundPolicy.fromSetting('Ollama.Internal, localhost');
    expect(policy.check('ollama.internal', '10.0.0.5', 4)).toEqual({ allowed: true });
    expect(policy.check('OLLAMA.INTERNAL.', 'fd00::5', 6)).toEqual({ allowed: true });
    expect(policy.check('localhost', '127.0.0.1', 4)).toEqual({ allowed: true });
    expect(policy.check('other.internal', '10.0.0.5', 4)).toEqual({ allowed: false, reason: 'private' });
    expect(policy.check('sub.ollama.internal', '10.0.0.5', 4)).toEqual({ allowed: false, reason: 'private' });
  });

  it('allows a single listed address and nothing next to it', () => {
    const policy = OutboundPolicy.fromSetting('10.0.0.5, ::1');
    expect(policy.check('a', '10.0.0.5', 4)).toEqual({ allowed: true });
    expect(policy.check('a', '::1', 6)).toEqual({ allowed: true });
    expect(policy.check('a', '10.0.0.6', 4)).toEqual({ allowed: false, reason: 'private' });
  });

  it('allows addresses inside listed IPv4 and IPv6 ranges, mapped forms included', () => {
    const policy = OutboundPolicy.fromSetting('127.0.0.0/8,fd00::/8');
    expect(policy.check('a', '127.0.0.1', 4)).toEqual({ allowed: true });
    expect(policy.check('a', '::ffff:127.0.0.1', 6)).toEqual({ allowed: true });
    expect(policy.check('a', 'fd12::1', 6)).toEqual({ allowed: true });
    expect(policy.check('a', 'fc00::1', 6)).toEqual({ allowed: false, reason: 'private' });
    expect(policy.check('a', '169.254.169.254', 4)).toEqual({ allowed: false, reason: 'metadata' });
  });
});
