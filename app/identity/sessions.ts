// The console's session after an OpenID Connect sign-in: a cookie holding who signed in and until when,
// signed (HMAC-SHA256) with SESSION_SECRET, so any instance sharing the secret accepts it and none
// needs a session store. HttpOnly (scripts cannot read it), SameSite=Lax (not sent on cross-site
// writes), Secure unless the console is served over plain http on loopback.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Identity } from './authenticator.js';

export const SESSION_COOKIE = 'incident_session';

export class SessionCookies {
  private readonly key: Buffer;

  /** Without a secret, a random one: sessions then last as long as this process. */
  constructor(
    secret: string | undefined,
    private readonly secure: boolean,
  ) {
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  /** A Set-Cookie value carrying `value` signed, for `maxAgeMs`. */
  issue(name: string, value: unknown, maxAgeMs: number): string {
    const payload = Buffer.from(JSON.stringify({ value, exp: Date.now() + maxAgeMs })).toString('base64url');
    return this.cookie(name, `${payload}.${this.sign(payload)}`, Math.floor(maxAgeMs / 1000));
  }

  clear(name: string): string {
    return this.cookie(name, '', 0);
  }

  /** The signed value of cookie `name`, unless missing, tampered with or expired. */
  read<T>(req: IncomingMessage, name: string): T | undefined {
    const raw = cookies(req)[name];
    const [payload, signature] = raw?.split('.') ?? [];
    if (!payload || !signature) return undefined;
    const expected = Buffer.from(this.sign(payload));
    const presented = Buffer.from(signature);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
    const { value, exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { value: T; exp: number };
    return exp > Date.now() ? value : undefined;
  }

  identity(req: IncomingMessage): Identity | undefined {
    return this.read<Identity>(req, SESSION_COOKIE);
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  private cookie(name: string, value: string, maxAgeSeconds: number): string {
    return `${name}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${this.secure ? '; Secure' : ''}`;
  }
}

function cookies(req: IncomingMessage): Record<string, string> {
  const found: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) found[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return found;
}
