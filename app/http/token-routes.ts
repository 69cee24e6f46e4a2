import { z } from 'zod';
import type { TokenAdmin } from '../identity/token-admin.js';
import { parseWith } from './json.js';
import type { Route } from './router.js';
import { call } from './service-call.js';
import { person } from './schemas.js';

const createBody = z.object({
  user: person.describe('the person every request with the token acts as'),
  expires: z.string().trim().default('90d').describe('a duration such as 90d (at most 400d)'),
});
const tokenParams = z.object({ tokenId: z.string().describe('the token id (the part after irt_)') });
const noBody = z.object({});

/** Personal API tokens, for those the policy lets administer them (administerTokens). */
export function tokenRoutes(admin: TokenAdmin): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/tokens',
      auth: 'person',
      docs: {
        summary: 'Create a personal API token (shown once)',
        body: createBody,
        responses: {
          201: '`{token, record}`: the token, only in this answer, and what is kept of it',
          403: 'Not allowed to administer tokens',
        },
      },
      handle: async ({ body, who }) => ({
        status: 201,
        body: await call(() => admin.create(who!, parseWith(createBody, body))),
      }),
    },
    {
      method: 'GET',
      path: '/api/tokens',
      auth: 'person',
      docs: {
        summary: 'List personal API tokens (never the tokens themselves)',
        responses: {
          200: '`{tokens: [{id, user, createdAt, createdBy, expiresAt, revokedAt?}]}`',
          403: 'Not allowed to administer tokens',
        },
      },
      handle: async ({ who }) => ({ status: 200, body: { tokens: await call(() => admin.list(who!)) } }),
    },
    {
      method: 'POST',
      path: '/api/tokens/:tokenId/revoke',
      auth: 'person',
      docs: {
        summary: 'Revoke a personal API token',
        body: noBody,
        params: tokenParams,
        responses: { 200: 'The token record, revoked', 403: 'Not allowed to administer tokens', 404: 'No such token' },
      },
      handle: async ({ params, who }) => ({
        status: 200,
        body: await call(() => admin.revoke(who!, params.tokenId ?? '')),
      }),
    },
  ];
}
