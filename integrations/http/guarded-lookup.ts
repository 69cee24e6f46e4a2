// Checks the addresses a host name resolves to when the socket connects, so a name that resolves
// (or is re-pointed, DNS rebinding) to an internal address is refused like the address itself.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';

/** Resolves a host name to every address (dns.lookup with `all`); replaceable in tests. */
export type Resolve = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export const systemResolve: Resolve = (hostname, options, callback) =>
  dnsLookup(hostname, { family: options.family ?? 0, hints: options.hints ?? 0, all: true }, callback);

/**
 * A `lookup` for http.request: every address the name resolves to must pass `refusal` (which says why
 * one may not be connected to), else the connection fails with that error before any byte is sent.
 */
export function guardedLookup(refusal: (address: string) => Error | undefined, resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.map((a) => refusal(a.address)).find((e) => e !== undefined);
      if (refused) return callback(refused, '', 0);
      if (!addresses.length) return callback(Object.assign(new Error(`no address`), { code: 'ENOTFOUND' }), '', 0);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
