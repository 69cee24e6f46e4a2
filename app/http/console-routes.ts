// The web console at `/`: the page (with this process's CSRF token), its prebuilt assets from
// dist/console (npm run build), and `/api/console`, which tells the page who is acting and where to link.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACTION_KINDS, CATEGORIES, SEVERITIES } from '../../workflows/types.js';
import type { Authenticator } from '../identity/authenticator.js';
import { HttpError } from './json.js';
import type { Route } from './router.js';

const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url)); // dist/console
const ASSET = /^[a-z0-9-]+(\.umd\.min)?\.(js|css)$/;
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
/** The page runs only its own scripts and talks only to this server. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export interface ConsoleOptions {
  csrfToken: string;
  /** Who the page's requests prove to be. */
  auth: Authenticator;
  /** Whether /auth/login signs people in (OpenID Connect). */
  signIn: boolean;
  namespace: string;
  temporalUiUrl?: string;
}

export const newCsrfToken = () => randomBytes(32).toString('base64url');

export function consoleRoutes(options: ConsoleOptions): Route[] {
  let page: Promise<string> | undefined;
  /** verified: a person proven by a credential; unauthenticated: typed in (open loopback server); read-only: neither. */
  const identity = async (req: IncomingMessage) => {
    const found = await options.auth.credentials(req);
    if ('identity' in found) return { mode: 'verified' as const, user: found.identity.person, via: found.identity.via };
    return {
      mode: options.auth.open ? ('unauthenticated' as const) : ('read-only' as const),
      ...(options.signIn ? { signIn: '/auth/login' } : {}),
    };
  };
  return [
    {
      method: 'GET',
      path: '/',
      auth: 'public',
      docs: {
        summary: 'The web console',
        produces: ['text/html'],
        responses: { 200: 'The page', 503: 'The console is not built' },
      },
      async handle() {
        page ??= readFile(join(CONSOLE_DIR, 'index.html'), 'utf8').catch((err: Error) => {
          page = undefined;
          throw new HttpError(503, `The console is not built (${err.message}): run npm run build`);
        });
        return {
          status: 200,
          body: (await page).replace('{{csrfToken}}', options.csrfToken),
          contentType: 'text/html; charset=utf-8',
          headers: PAGE_HEADERS,
        };
      },
    },
    {
      method: 'GET',
      path: '/console/:file',
      auth: 'public',
      docs: {
        summary: 'A script or style sheet of the console',
        produces: ['text/javascript', 'text/css'],
        responses: { 200: 'The asset', 404: 'No such asset' },
      },
      async handle({ params }) {
        const file = params.file!;
        if (!ASSET.test(file)) throw new HttpError(404, `No console asset ${file}`);
        const body = await readFile(join(CONSOLE_DIR, file), 'utf8').catch(() => {
          throw new HttpError(404, `No console asset ${file}`);
        });
        return {
          status: 200,
          body,
          contentType: TYPES[file.split('.').pop()!]!,
          headers: { 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/console',
      auth: 'public',
      docs: {
        summary: 'Who the console acts as, and what it offers (no credentials needed: it says how to sign in)',
        responses: { 200: '`{identity, namespace, temporalUiUrl?, severities, categories, actionKinds}`' },
      },
      handle: async ({ req }) => ({
        status: 200,
        body: {
          identity: await identity(req),
          namespace: options.namespace,
          ...(options.temporalUiUrl ? { temporalUiUrl: options.temporalUiUrl } : {}),
          severities: SEVERITIES,
          categories: CATEGORIES,
          actionKinds: ACTION_KINDS,
        },
      }),
    },
  ];
}
