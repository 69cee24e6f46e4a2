import { LOOPBACK_HOSTS, type ServerConfig } from '../config.js';
import { Authenticator } from './authenticator.js';
import { OidcLogin } from './oidc-login.js';
import { OidcVerifier } from './oidc.js';
import { PersonalTokens } from './personal-tokens.js';
import { SessionCookies } from './sessions.js';
import type { RunbookSource } from '../../runbooks/source.js';

export interface IdentitySources {
  auth: Authenticator;
  tokens: PersonalTokens;
  /** Console sign-in, when OIDC_CLIENT_ID is set. */
  login?: { flow: OidcLogin; sessions: SessionCookies };
}

/** The identity sources the configuration names (README, "Identity"). `publicUrl`: where people reach this server. */
export function identitySourcesFor(config: ServerConfig, publicUrl: string, runbooks: RunbookSource): IdentitySources {
  const tokens = new PersonalTokens(config.dataDir, config.TOKEN_HASH_KEY);
  const oidc =
    config.OIDC_ISSUER && config.OIDC_AUDIENCE
      ? new OidcVerifier({
          issuer: config.OIDC_ISSUER,
          audience: config.OIDC_AUDIENCE,
          personClaim: config.OIDC_PERSON_CLAIM,
          groupsClaim: config.OIDC_GROUPS_CLAIM,
          clockToleranceSeconds: config.OIDC_CLOCK_SKEW_SECONDS,
        })
      : undefined;
  const secure = publicUrl.startsWith('https://') || !LOOPBACK_HOSTS.includes(config.HOST);
  const sessions = oidc && config.OIDC_CLIENT_ID ? new SessionCookies(config.SESSION_SECRET, secure) : undefined;
  const auth = new Authenticator({
    ...(config.API_TOKEN ? { apiToken: config.API_TOKEN } : {}),
    tokens,
    tokensAreASource: config.PERSONAL_TOKENS === 'on',
    directory: async () => (await runbooks.current(1_000)).directory,
    ...(oidc ? { oidc } : {}),
    ...(sessions ? { sessions } : {}),
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
  if (!oidc || !sessions || !config.OIDC_CLIENT_ID || !config.OIDC_ISSUER) return { auth, tokens };
  const flow = new OidcLogin(
    {
      issuer: config.OIDC_ISSUER,
      clientId: config.OIDC_CLIENT_ID,
      ...(config.OIDC_CLIENT_SECRET ? { clientSecret: config.OIDC_CLIENT_SECRET } : {}),
      redirectUri: `${publicUrl}/auth/callback`,
      ...(config.OIDC_RESOURCE ? { resource: config.OIDC_RESOURCE } : {}),
    },
    oidc,
    sessions,
  );
  return { auth, tokens, login: { flow, sessions } };
}
