import { BlockList, isIP } from 'node:net';

/** Lower-cases and drops the root dot, so `LocalHost.` and `localhost` are one name. */
export function normalizeHostname(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '');
}

/**
 * What the operator allows despite the default refusals
 * (`AGENTRY_OUTBOUND_ALLOW`): exact hostnames, single addresses and ranges.
 */
export class OutboundAllowList {
  constructor(
    private readonly hostnames: ReadonlySet<string>,
    private readonly addresses: BlockList,
  ) {}

  static empty(): OutboundAllowList {
    return new OutboundAllowList(new Set(), new BlockList());
  }

  allowsHostname(hostname: string): boolean {
    return this.hostnames.has(normalizeHostname(hostname));
  }

  allowsAddress(address: string, family: 4 | 6): boolean {
    return this.addresses.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

function invalidEntry(entry: string, why: string): Error {
  return new Error(`AGENTRY_OUTBOUND_ALLOW entry "${entry}" ${why}`);
}

/** `entry` holds exactly one "/". */
function addRange(addresses: BlockList, entry: string): void {
  const [network = '', prefixText = ''] = entry.split('/');
  const family = isIP(network);
  if (family === 0) throw invalidEntry(entry, 'is not a CIDR range: the part before "/" is not an IP address.');
  const maxPrefix = family === 4 ? 32 : 128;
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= maxPrefix)) {
    throw invalidEntry(entry, `is not a CIDR range: the prefix length must be 0 to ${maxPrefix}.`);
  }
  addresses.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * A hostname entry must be what the URL parser would produce for that host, or
 * it could never match: `0x7f.1` becomes `127.0.0.1` and `999.1.2.3` is no host.
 */
function isCanonicalHostname(entry: string): boolean {
  if (!/^[a-z0-9._-]+$/i.test(entry)) return false;
  try {
    return normalizeHostname(new URL(`http://${entry}/`).hostname) === normalizeHostname(entry);
  } catch {
    return false;
  }
}

/**
 * Parses `AGENTRY_OUTBOUND_ALLOW`: comma-separated hostnames (exact,
 * case-insensitive), IP addresses and CIDR ranges, IPv4 or IPv6. Throws an Error
 * naming the first bad entry, for the configuration loader to report.
 */
export function parseOutboundAllowList(text: string | undefined): OutboundAllowList {
  const hostnames = new Set<string>();
  const addresses = new BlockList();
  const entries = (text ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    const family = isIP(entry);
    if (/^[^/]*\/[^/]*$/.test(entry)) addRange(addresses, entry);
    else if (family !== 0) addresses.addAddress(entry, family === 4 ? 'ipv4' : 'ipv6');
    else if (isCanonicalHostname(entry)) hostnames.add(normalizeHostname(entry));
    else throw invalidEntry(entry, 'is not a hostname, an IP address or a CIDR range (e.g. ollama.internal, 10.0.0.5, 10.0.0.0/8).');
  }
  return new OutboundAllowList(hostnames, addresses);
}
