import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { createGuardedLookup, refusalAmong } from './guarded-lookup.js';
import { OutboundAddressRefusedError } from './outbound-errors.js';
import { OutboundPolicy } from './outbound-policy.js';

type LookupResult = { error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number };

function lookupWith(policy: OutboundPolicy, hostname: string, all: boolean): Promise<LookupResult> {
  return new Promise((resolve) => {
    createGuardedLookup(policy)(hostname, { all }, (error, address, family) => resolve({ error, address, family }));
  });
}

describe('refusalAmong', () => {
  it('refuses a name when any one of its addresses is refused', () => {
    const refusal = refusalAmong(new OutboundPolicy(), 'mixed.example', [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ]);
    expect(refusal).toBeInstanceOf(OutboundAddressRefusedError);
    expect(refusal).toMatchObject({ hostname: 'mixed.example', address: '10.0.0.7', addressClass: 'private' });
  });

  it('passes a name whose addresses are all public', () => {
    const addresses = [
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ];
    expect(refusalAmong(new OutboundPolicy(), 'public.example', addresses)).toBeUndefined();
  });
});

describe('createGuardedLookup', () => {
  it('fails the lookup of a name that resolves to loopback', async () => {
    const result = await lookupWith(new OutboundPolicy(), 'localhost', true);
    expect(result.error).toBeInstanceOf(OutboundAddressRefusedError);
  });

  it('hands back the checked addresses in either callback shape', async () => {
    const policy = OutboundPolicy.fromSetting('127.0.0.0/8, ::1');
    const all = await lookupWith(policy, 'localhost', true);
    expect(all.error).toBeNull();
    expect(all.address).toContainEqual({ address: '127.0.0.1', family: 4 });
    const single = await lookupWith(policy, 'localhost', false);
    expect(single.error).toBeNull();
    expect(typeof single.address).toBe('string');
    expect([4, 6]).toContain(single.family);
  });

  it('passes resolver errors through', async () => {
    const result = await lookupWith(new OutboundPolicy(), 'nothing-here.invalid', true);
    expect(result.error).toMatchObject({ code: expect.stringMatching(/ENOTFOUND|EAI_AGAIN/) });
  });
});
