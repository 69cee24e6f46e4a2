import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two secrets of any length (compared as SHA-256 digests, which have one length). */
export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(sha256(presented), sha256(expected));
}

/** Whether `presentedHex` is the hex HMAC-SHA256 of `message` under `secret`, compared in constant time. */
export function hmacMatches(secret: string, message: (string | Buffer)[], presentedHex: string): boolean {
  const hmac = createHmac('sha256', secret);
  for (const part of message) hmac.update(part);
  const expected = hmac.digest();
  const presented = Buffer.from(presentedHex.trim(), 'hex');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
