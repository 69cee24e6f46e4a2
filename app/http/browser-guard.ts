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

/** Throws the refusal, or returns the authenticated person (when a proxy header is configured). `routePath` is the matched route's. */
export function checkWrite(req: IncomingMessage, routePath: string, options: BrowserGuardOptions): string | undefined {
  const origin = req.headers.origin;
  const fetchSite = req.headers['sec-fetch-site'];
  const fromBrowser = origin !== undefined || fetchSite !== undefined;
  if (fromBrowser) {
    if (fetchSite !== undefined && fetchSite !== 'same-origin') {
      throw new HttpError(403, `Cross-site request refused (Sec-Fetch-Site: ${fetchSite})`, [{ field: 'sec-fetch-site', message: 'must be same-origin' }]);
    }
    if (origin !== undefined && origin !== 'null' && safeHost(origin) !== req.headers.host) {
      throw new HttpError(403, `Cross-origin request from ${origin} refused`, [{ field: 'origin', message: 'must be this server' }]);
    }
    if (origin === 'null' || !sameSecret(String(req.headers['x-csrf-token'] ?? ''), options.csrfToken)) {
      throw new HttpError(403, 'Missing or wrong CSRF token: reload the console and try again', [{ field: 'x-csrf-token', message: 'must be the token of the page' }]);
    }
  }
  if (!routePath.startsWith('/api/')) return undefined;
  if (options.authUserHeader) {
    const user = headerValue(req, options.authUserHeader);
    if (!user) throw new ProxyIdentityMissing(options.authUserHeader);
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

/** A 401 that is about the proxy, not the API token: the console does not ask for a token then. */
export class ProxyIdentityMissing extends HttpError {
  constructor(header: string) {
    super(401, `No authenticated user: the proxy must set ${header}`, [{ field: header, message: 'missing' }]);
  }
}
