// Where a runbook's http step may connect: the hosts its runbook lists in `http.allowedHosts`, and
// never an internal address (loopback, link-local, private, cloud metadata…) unless that address is
// listed itself. Names never unlock addresses: a listed name that resolves to 169.254.169.254 is refused.
import { BlockList, isIP } from 'node:net';

/** Addresses no http step reaches unless its runbook lists them, by what they are. */
const INTERNAL_RANGES: [label: string, network: string, prefix: number][] = [
  ['unspecified', '0.0.0.0', 8],
  ['loopback', '127.0.0.0', 8],
  ['link-local', '169.254.0.0', 16],
  ['private', '10.0.0.0', 8],
  ['private', '172.16.0.0', 12],
  ['private', '192.168.0.0', 16],
  ['shared (carrier-grade NAT)', '100.64.0.0', 10],
  ['reserved', '192.0.0.0', 24],
  ['reserved', '198.18.0.0', 15],
  ['multicast', '224.0.0.0', 4],
  ['reserved', '240.0.0.0', 4],
  ['unspecified', '::', 128],
  ['loopback', '::1', 128],
  ['link-local', 'fe80::', 10],
  ['private', 'fc00::', 7],
  ['multicast', 'ff00::', 8],
  ['NAT64 (an IPv4 address inside IPv6)', '64:ff9b::', 96],
];

/** Cloud instance metadata services: refused unless the runbook lists the address itself (a range does not do). */
const METADATA_ADDRESSES = ['169.254.169.254', '169.254.170.2', '100.100.100.200', '168.63.129.16', 'fd00:ec2::254'];

const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

const ranges = INTERNAL_RANGES.map(([label, network, prefix]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family(network));
  return { label, list };
});

/** What an internal address is ("loopback", "cloud metadata"…), or undefined for a public one. */
export function internalAddressKind(address: string): string | undefined {
  if (METADATA_ADDRESSES.some((m) => sameAddress(m, address))) return 'cloud metadata';
  return ranges.find(({ list }) => list.check(address, family(address)))?.label;
}

/** An allowedHosts entry: a host name (`api.example.com`, `*.example.com`), an IP address, or a CIDR range. */
export function hostEntryProblem(entry: string): string | undefined {
  if (isIP(entry) || /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(entry))
    return undefined;
  const [network, prefix, ...extra] = entry.split('/');
  const max = { 4: 32, 6: 128 }[isIP(network!)];
  if (max === undefined || prefix === undefined)
    return `"${entry}" must be a host name (or *.domain), an IP address or a CIDR range`;
  if (extra.length || !/^\d+$/.test(prefix) || Number(prefix) > max)
    return `"${entry}" must be a CIDR range such as 10.0.0.0/8 or fd00::/8`;
  return undefined;
}

/** Whether `host` (a URL's host name, or an IP address) is one the runbook lists. */
export function hostListed(host: string, allowedHosts: readonly string[]): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare)) return addressListed(bare, allowedHosts);
  const name = bare.toLowerCase().replace(/\.$/, '');
  return allowedHosts.some((entry) => {
    const e = entry.toLowerCase();
    return e.startsWith('*.') ? name.endsWith(e.slice(1)) : name === e;
  });
}

/** Whether the runbook lists this address, itself or (unless `exactly`) in a CIDR range. */
function addressListed(address: string, allowedHosts: readonly string[], exactly = false): boolean {
  return allowedHosts.some((entry) => {
    const [network, prefix] = entry.split('/');
    if (!isIP(network!)) return false;
    if (prefix === undefined) return sameAddress(network!, address);
    if (exactly) return false;
    const list = new BlockList();
    list.addSubnet(network!, Number(prefix), family(network!));
    return list.check(address, family(address));
  });
}

/** Why connecting to `address` is refused (naming it as `shownAs`), or undefined when it is allowed. */
export function addressRefusal(
  address: string,
  allowedHosts: readonly string[],
  shownAs = address,
): string | undefined {
  const kind = internalAddressKind(address);
  const metadata = kind === 'cloud metadata';
  if (kind === undefined || addressListed(address, allowedHosts, metadata)) return undefined;
  return `${shownAs} is a ${kind} address; an http step reaches it only if its runbook lists ${metadata ? 'this very address' : 'it (or its range)'} in http.allowedHosts`;
}

/** The same address however written (an IPv4 address as IPv4-mapped IPv6, ::ffff:169.254.169.254, too). */
function sameAddress(a: string, b: string): boolean {
  const list = new BlockList();
  list.addAddress(a, family(a));
  return list.check(b, family(b));
}
