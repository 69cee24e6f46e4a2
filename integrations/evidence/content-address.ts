// How an evidence file is named: by the sha256 (hex) of its bytes. Every store keys its files with
// `sha256/<first two hex>/<sha256>.json` and refuses to hand back bytes that no longer hash to their name.
import { createHash } from 'node:crypto';

const HEX64 = '[0-9a-f]{64}';
const SHA256_HEX = new RegExp(`^${HEX64}$`);
const KEY = new RegExp(`(?:^|/)sha256/([0-9a-f]{2})/(${HEX64})\\.json$`);

export const sha256Hex = (content: string | Buffer): string => createHash('sha256').update(content).digest('hex');

/** `sha256/ab/ab12….json`, relative to the store's root; throws unless `sha256` is 64 lowercase hex digits. */
export function contentKey(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error('an evidence file is named by its sha256 (64 hex digits)');
  return `sha256/${sha256.slice(0, 2)}/${sha256}.json`;
}

/** The sha256 a key (or a location ending in one) names, or undefined when it names none. */
export function shaOfKey(key: string): string | undefined {
  const match = KEY.exec(key);
  return match && match[2]!.startsWith(match[1]!) ? match[2] : undefined;
}

/** The content read back from `location`, after checking it still hashes to the sha256 its name says. */
export function verified(location: string, content: Buffer): Buffer {
  const expected = shaOfKey(location);
  if (!expected) throw new Error(`evidence ${location}: not a content-addressed location (sha256/ab/<sha256>.json)`);
  const actual = sha256Hex(content);
  if (actual !== expected)
    throw new Error(
      `evidence ${location} was altered: its content hashes to sha256 ${actual}, not the ${expected} it is named by`,
    );
  return content;
}
