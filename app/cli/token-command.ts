// `incident token create|list|revoke`: personal API tokens through the API (for those the policy lets
// administer them), or with --local straight in the server's data directory, for the operator on its
// host (how the first admin's token is made).
import { resolve } from 'node:path';
import { lifetime } from '../identity/token-admin.js';
import { PersonalTokens, type TokenRecord } from '../identity/personal-tokens.js';
import type { ApiClient } from './api-client.js';

export interface TokenOptions {
  user?: string;
  expires?: string;
  local: boolean;
  /** Who is asking, when the server has no identity source (typed); otherwise the token says. */
  actor?: string;
  dataDir: string;
  hashKey?: string;
}

export async function tokenCommand(
  api: ApiClient,
  [sub, tokenId]: string[],
  options: TokenOptions,
  print: <T>(result: T, text: (r: T) => string) => void,
  usage: (message: string) => Error,
): Promise<number> {
  const local = options.local ? new PersonalTokens(resolve(options.dataDir), options.hashKey) : undefined;
  const operator = options.actor ?? 'the operator (--local)';
  switch (sub ?? '') {
    case 'create': {
      if (!options.user) throw usage('token create needs --user USER: the person the token acts as');
      const expires = options.expires ?? '90d';
      let expiresInMs: number;
      try {
        expiresInMs = lifetime(expires);
      } catch (err) {
        throw usage((err as Error).message);
      }
      const made = local
        ? await local.create({ user: options.user.normalize('NFKC').trim(), expiresInMs, createdBy: operator })
        : await api.post<{ token: string; record: TokenRecord }>('/api/tokens', {
            user: options.user,
            expires,
            ...(options.actor ? { actor: options.actor } : {}),
          });
      print(
        made,
        ({ token, record }) =>
          `${token}\n  for ${record.user}, expires ${record.expiresAt} (id ${record.id})\n  Shown once: store it now (INCIDENT_TOKEN=…); only its hash is kept.`,
      );
      return 0;
    }
    case 'list': {
      const tokens = local
        ? await local.list()
        : (
            await api.get<{ tokens: TokenRecord[] }>(
              `/api/tokens${options.actor ? `?actor=${encodeURIComponent(options.actor)}` : ''}`,
            )
          ).tokens;
      print(
        tokens,
        (list) =>
          list
            .map(
              (t) =>
                `${t.id}  ${t.user.padEnd(16)} expires ${t.expiresAt}${t.revokedAt ? `  revoked ${t.revokedAt} by ${t.revokedBy}` : ''}`,
            )
            .join('\n') || 'No API tokens.',
      );
      return 0;
    }
    case 'revoke': {
      if (!tokenId) throw usage('token revoke needs a TOKEN_ID (see `incident token list`)');
      const revoked = local
        ? await local.revoke(tokenId, operator)
        : await api.post<TokenRecord>(
            `/api/tokens/${encodeURIComponent(tokenId)}/revoke`,
            options.actor ? { actor: options.actor } : {},
          );
      if (!revoked) throw usage(`No API token ${tokenId}`);
      print(revoked, (t) => `${t.id} (${t.user}) revoked at ${t.revokedAt}`);
      return 0;
    }
    default:
      throw usage(`Unknown token command "${sub ?? ''}" (create, list, revoke)`);
  }
}
