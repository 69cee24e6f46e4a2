import type { ServerConfig } from '../config.js';
import { Authenticator } from './authenticator.js';
import { PersonalTokens } from './personal-tokens.js';

/** The identity sources the configuration names (README, "Identity"). */
export function authenticatorFor(config: ServerConfig, tokens: PersonalTokens): Authenticator {
  return new Authenticator({
    ...(config.API_TOKEN ? { apiToken: config.API_TOKEN } : {}),
    tokens,
    tokensAreASource: config.PERSONAL_TOKENS === 'on',
    ...(config.AUTH_USER_HEADER
      ? {
          proxy: {
            header: config.AUTH_USER_HEADER,
            ...(config.AUTH_PROXY_SECRET ? { secret: config.AUTH_PROXY_SECRET } : {}),
            secretHeader: config.AUTH_PROXY_SECRET_HEADER,
            trustedPeers: config.AUTH_PROXY_PEERS ?? [],
          },
        }
      : {}),
  });
}

export function personalTokensFor(config: Pick<ServerConfig, 'dataDir' | 'TOKEN_HASH_KEY'>): PersonalTokens {
  return new PersonalTokens(config.dataDir, config.TOKEN_HASH_KEY);
}
