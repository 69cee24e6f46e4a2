// What the server checks of a browser's writes, for the console: a POST must come from this server's
// own page (same origin, and the page's CSRF token in a header: a form or script on another site can
// send neither). Who the person is, and what they may do, is decided elsewhere (identity/, the workflow).
import type { IncomingMessage } from 'node:http';
import { HttpError } from './json.js';
import { sameSecret } from './secret-compare.js';

export interface BrowserGuardOptions {
  csrfToken: string;
}

/** Throws the refusal for a cross-site or token-less browser write; requests that are not from a browser pass. */
export function checkWrite(req: IncomingMessage, options: BrowserGuardOptions): void {
  const origin = req.headers.origin;
  const fetchSite = req.headers['sec-fetch-site'];
  if (origin === undefined && fetchSite === undefined) return;
  if (fetchSite !== undefined && fetchSite !== 'same-origin') {
    throw new HttpError(403, `Cross-site request refused (Sec-Fetch-Site: ${fetchSite})`, [
      { field: 'sec-fetch-site', message: 'must be same-origin' },
    ]);
  }
  if (origin !== undefined && origin !== 'null' && safeHost(origin) !== req.headers.host) {
    throw new HttpError(403, `Cross-origin request from ${origin} refused`, [
      { field: 'origin', message: 'must be this server' },
    ]);
  }
  if (origin === 'null' || !sameSecret(String(req.headers['x-csrf-token'] ?? ''), options.csrfToken)) {
    throw new HttpError(403, 'Missing or wrong CSRF token: reload the console and try again', [
      { field: 'x-csrf-token', message: 'must be the token of the page' },
    ]);
  }
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
