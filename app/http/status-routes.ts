// The public status page, its Atom feed and its JSON: no sign-in, only what the IC published
// (app/status/public-view.ts). Their own group of routes, all under /status, so that an operator's
// proxy can expose these alone.
import { StatusBoard } from '../status/status-board.js';
import { renderAtomFeed } from '../status/status-atom.js';
import { renderStatusPage, STATUS_PAGE_CSP } from '../status/status-html.js';
import type { Route } from './router.js';
import { call } from './service-call.js';

export interface StatusPageOptions {
  /** The server's public URL (PUBLIC_URL, or its own address), for the feed's ids and links. */
  publicUrl: string;
}

const SHARED_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // As long as the board's own cache: a proxy in front may serve it too.
  'cache-control': 'public, max-age=10',
};

export function statusRoutes(board: StatusBoard, { publicUrl }: StatusPageOptions): Route[] {
  const base = publicUrl.replace(/\/$/, '');
  return [
    {
      method: 'GET',
      path: '/status',
      auth: 'public',
      docs: {
        summary: 'The public status page: published incidents and their public updates (no sign-in)',
        produces: ['text/html'],
        responses: { 200: 'The page', 503: 'Temporal is unavailable' },
      },
      handle: async () => ({
        status: 200,
        body: renderStatusPage(await call(() => board.current())),
        contentType: 'text/html; charset=utf-8',
        headers: { ...SHARED_HEADERS, 'content-security-policy': STATUS_PAGE_CSP },
      }),
    },
    {
      method: 'GET',
      path: '/status/feed.atom',
      auth: 'public',
      docs: {
        summary: 'The status page as an Atom feed: one entry per public update (no sign-in)',
        produces: ['application/atom+xml'],
        responses: { 200: 'The feed', 503: 'Temporal is unavailable' },
      },
      handle: async () => ({
        status: 200,
        body: renderAtomFeed(await call(() => board.current()), base),
        contentType: 'application/atom+xml; charset=utf-8',
        headers: SHARED_HEADERS,
      }),
    },
    {
      method: 'GET',
      path: '/status.json',
      auth: 'public',
      docs: {
        summary: 'The status page as JSON (no sign-in)',
        responses: {
          200: '`{updatedAt, incidents: [{id, title, state, impact?, startedAt, resolvedAt?, updatedAt, updates: [{id, at, text, impact?}]}]}`',
          503: 'Temporal is unavailable',
        },
      },
      handle: async () => ({ status: 200, body: await call(() => board.current()), headers: SHARED_HEADERS }),
    },
  ];
}
