import { z } from 'zod';
import type { OidcLogin } from '../identity/oidc-login.js';
import { SESSION_COOKIE, type SessionCookies } from '../identity/sessions.js';
import { HttpError } from './json.js';
import type { Route } from './router.js';

const loginQuery = z.object({ return: z.string().optional().describe('the console path to come back to') });
const callbackQuery = z.object({
  code: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional(),
});

/** Console sign-in through the identity provider (OIDC_CLIENT_ID set), and sign-out. */
export function authRoutes(login: OidcLogin, sessions: SessionCookies): Route[] {
  return [
    {
      method: 'GET',
      path: '/auth/login',
      auth: 'public',
      docs: {
        summary: "Sign in to the console: a redirect to the identity provider's login page",
        query: loginQuery,
        responses: { 302: 'To the identity provider' },
      },
      handle: async ({ query }) => {
        const { location, cookie } = await login.start(query.get('return') ?? '/');
        return {
          status: 302,
          body: { location },
          headers: { location, 'set-cookie': cookie, 'cache-control': 'no-store' },
        };
      },
    },
    {
      method: 'GET',
      path: '/auth/callback',
      auth: 'public',
      docs: {
        summary: 'Where the identity provider sends the browser back',
        query: callbackQuery,
        responses: { 302: 'Signed in: back to the console', 400: 'The sign-in failed (named)' },
      },
      handle: async ({ req, query }) => {
        if (query.get('error'))
          throw new HttpError(400, `Sign-in refused by the identity provider: ${query.get('error')}`, [
            { field: 'error', message: String(query.get('error')) },
          ]);
        const url = new URL(req.url ?? '/', 'http://localhost');
        const callback = new URL(`${login.redirectUri}${url.search}`);
        const done = await login.finish(callback, login.loginAttempt(req)).catch((err: Error) => {
          throw new HttpError(400, `Sign-in failed: ${err.message}`, [{ field: '(sign-in)', message: err.message }]);
        });
        return {
          status: 302,
          body: { location: done.location },
          headers: { location: done.location, 'set-cookie': done.cookies, 'cache-control': 'no-store' },
        };
      },
    },
    {
      method: 'POST',
      path: '/auth/logout',
      auth: 'public',
      docs: { summary: 'Sign out of the console', body: z.object({}), responses: { 200: 'Signed out' } },
      handle: async () => ({
        status: 200,
        body: { signedOut: true },
        headers: { 'set-cookie': sessions.clear(SESSION_COOKIE) },
      }),
    },
  ];
}
