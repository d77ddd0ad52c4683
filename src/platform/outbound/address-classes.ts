import { BlockList, isIP } from 'node:net';

/** Why an address is refused by default: the kind of network it belongs to. */
export type AddressClass =
  | 'metadata'
  | 'broadcast'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'carrier-grade-nat'
  | 'link-local'
  | 'reserved'
  | 'benchmarking'
  | 'multicast'
  | 'invalid';

const LABELS: Record<AddressClass, string> = {
  metadata: 'cloud metadata address',
  broadcast: 'broadcast address',
  unspecified: 'unspecified address',
  loopback: 'loopback address',
  private: 'private address',
  'carrier-grade-nat': 'carrier-grade NAT address',
  'link-local': 'link-local address',
  reserved: 'reserved address',
  benchmarking: 'benchmarking address',
  multicast: 'multicast address',
  invalid: 'unparsable address',
};

export function describeAddressClass(addressClass: AddressClass): string {
  return LABELS[addressClass];
}

type Range = readonly [network: string, prefix: number, addressClass: AddressClass];

/**
 * Ranges no tenant may reach unless the operator allows them. Order matters:
 * the first match names the class, so the single metadata and broadcast
 * addresses come before the wider ranges that contain them.
 */
const REFUSED_RANGES: readonly Range[] = [
  ['169.254.169.254', 32, 'metadata'], // AWS, GCP, Azure, OpenStack
  ['100.100.100.200', 32, 'metadata'], // Alibaba Cloud, inside CGNAT space
  ['fd00:ec2::254', 128, 'metadata'], // AWS over IPv6, inside fc00::/7
  ['255.255.255.255', 32, 'broadcast'],
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade-nat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // includes 192.0.0.192, Oracle Cloud metadata
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fc00::', 7, 'private'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
];

// One list per range keeps the declared order, which decides the class.
const CLASS_LISTS: ReadonlyArray<readonly [AddressClass, BlockList]> = REFUSED_RANGES.map(([network, prefix, addressClass]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, network.includes(':') ? 'ipv6' : 'ipv4');
  return [addressClass, list] as const;
});

/**
 * The refused class of an IP address, or undefined when it is public.
 * BlockList judges IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) by their IPv4
 * address, as Node documents, so they cannot sneak past the IPv4 ranges.
 */
export function classifyAddress(address: string, family: 4 | 6): AddressClass | undefined {
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [addressClass, list] of CLASS_LISTS) {
    if (list.check(address, type)) return addressClass;
  }
  return undefined;
}

/** 4 or 6 when `text` is an IP address (IPv6 without brackets), else undefined. */
export function ipFamilyOf(text: string): 4 | 6 | undefined {
  const family = isIP(text);
  return family === 4 || family === 6 ? family : undefined;
}
