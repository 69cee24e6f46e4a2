import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** An HMAC-SHA256 in hex as every sender we verify writes it: 64 lowercase hex digits, nothing else. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Constant-time equality of two secrets of any length (compared as SHA-256 digests, which have one length). */
export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(sha256(presented), sha256(expected));
}

/**
 * Whether `presentedHex` is the hex HMAC-SHA256 of `message` under `secret`, compared in constant time.
 * Anything but exactly 64 lowercase hex digits is refused before comparing: `Buffer.from(hex, 'hex')`
 * stops at the first non-hex character, so a valid signature with bytes appended would otherwise
 * pass, and one signature spelled several ways would slip past the replay cache, which keys on it.
 */
export function hmacMatches(secret: string, message: (string | Buffer)[], presentedHex: string): boolean {
  if (!SHA256_HEX.test(presentedHex)) return false;
  const hmac = createHmac('sha256', secret);
  for (const part of message) hmac.update(part);
  return timingSafeEqual(Buffer.from(presentedHex, 'hex'), hmac.digest());
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** `Bearer <token>`, or Basic auth with the token as the password (Alertmanager and Grafana support both). */
export function presentsToken(header: string | undefined, expected: string): boolean {
  if (!header) return false;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  let presented: string | undefined;
  if (scheme?.toLowerCase() === 'bearer') presented = value;
  else if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    presented = decoded.slice(decoded.indexOf(':') + 1);
  }
  return presented !== undefined && sameSecret(presented, expected);
}
