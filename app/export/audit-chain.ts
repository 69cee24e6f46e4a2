// The audit export's hash chain: each timeline entry's hash covers the entry and the hash before it, so
// changing, dropping or reordering one entry breaks every hash from there on. Written so that an auditor
// can recompute it without our code (CHAIN_RULE says how), and used by `incident verify-export` offline.
import { createHash } from 'node:crypto';

export const CHAIN_ALGORITHM = 'sha256';

export const CANONICAL_FORM =
  'RFC 8785 JSON Canonicalization Scheme: object keys sorted by UTF-16 code units, no whitespace, strings and numbers as ECMAScript JSON.stringify writes them. For these records (ASCII keys, whole numbers) that is what Python writes with json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).';

export const CHAIN_RULE =
  'hash[0..n-1] over timeline[i].entry: hash[i] = lowercase hex sha256 of the UTF-8 bytes of hash[i-1] + "\\n" + canonical(timeline[i].entry), where hash[-1] (the genesis) = sha256 hex of the UTF-8 incident id. head = hash[n-1] (the genesis when the timeline is empty). seal = sha256 hex of head + "\\n" + canonical(the object of every top-level field named in seal.covers), which binds the rest of the record to the chain.';

export const CHAIN_EXAMPLE =
  'python3 -c \'import hashlib,json,sys; d=json.load(open(sys.argv[1])); c=lambda v: json.dumps(v,sort_keys=True,separators=(",",":"),ensure_ascii=False); h=hashlib.sha256(d["incident"]["id"].encode()).hexdigest()\nfor i,t in enumerate(d["timeline"]):\n  h=hashlib.sha256((h+"\\n"+c(t["entry"])).encode()).hexdigest(); assert h==t["hash"], i\nprint(len(d["timeline"]), h)\' EXPORT.json';

/** The canonical serialisation (RFC 8785): sorted keys, no whitespace; undefined members are left out as JSON does. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`${value} has no JSON form`);
  return JSON.stringify(value) ?? 'null';
}

export const sha256Hex = (text: string): string => createHash(CHAIN_ALGORITHM).update(text, 'utf8').digest('hex');

export const genesisHash = (incidentId: string): string => sha256Hex(incidentId);

export const chainHash = (previous: string, entry: unknown): string =>
  sha256Hex(`${previous}\n${canonicalJson(entry)}`);

/** Every entry with its hash, in order; and the head. */
export function chain<T>(
  incidentId: string,
  entries: readonly T[],
): { links: { entry: T; hash: string }[]; head: string } {
  let previous = genesisHash(incidentId);
  const links = entries.map((entry) => {
    previous = chainHash(previous, entry);
    return { entry, hash: previous };
  });
  return { links, head: previous };
}

export const sealHash = (head: string, covered: unknown): string => sha256Hex(`${head}\n${canonicalJson(covered)}`);
