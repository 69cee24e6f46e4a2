// What the server checks of writes, for the console: a browser's POST must come from this server's own
// page (same origin, and the page's CSRF token in a header: a form or script on another site can send
// neither), and the acting person is the authenticating proxy's header when one is configured, never
// what the body claims. The workflow's validators still decide what that person may do.
import type { IncomingMessage } from 'node:http';
import { HttpError } from './json.js';
import { sameSecret } from './secret-compare.js';

export interface BrowserGuardOptions {
  csrfToken: string;
  /** AUTH_USER_HEADER (lower case), set by an authenticating proxy such as oauth2-proxy. */
  authUserHeader?: string;
  /** Without a proxy header, a browser may act only when the server listens on loopback alone. */
  loopbackOnly: boolean;
}

/** Throws the refusal, or returns the authenticated person (when a proxy header is configured). */
export function checkWrite(req: IncomingMessage, path: string, options: BrowserGuardOptions): string | undefined {
  const origin = req.headers.origin;
  const fromBrowser = origin !== undefined || req.headers['sec-fetch-site'] !== undefined;
  if (fromBrowser) {
    if (origin !== undefined && origin !== 'null' && safeHost(origin) !== req.headers.host) {
      throw new HttpError(403, `Cross-origin request from ${origin} refused`, [{ field: 'origin', message: 'must be this server' }]);
    }
    if (origin === 'null' || !sameSecret(String(req.headers['x-csrf-token'] ?? ''), options.csrfToken)) {
      throw new HttpError(403, 'Missing or wrong CSRF token: reload the console and try again', [{ field: 'x-csrf-token', message: 'must be the token of the page' }]);
    }
  }
  if (!path.startsWith('/api/')) return undefined;
  if (options.authUserHeader) {
    const user = headerValue(req, options.authUserHeader);
    if (!user) throw new HttpError(401, `No authenticated user: the proxy must set ${options.authUserHeader}`, [{ field: options.authUserHeader, message: 'missing' }]);
    return user;
  }
  if (fromBrowser && !options.loopbackOnly) {
    throw new HttpError(403, 'The console can act only behind an authenticating proxy (AUTH_USER_HEADER) or on a loopback address', []);
  }
  return undefined;
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const first = (Array.isArray(value) ? value[0] : value)?.trim();
  return first ? first : undefined;
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
