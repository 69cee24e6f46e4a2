// A real OpenID Connect provider on 127.0.0.1 (the certified `oidc-provider` package), for tests: a
// console client (authorization code with PKCE), JWT access tokens for the incident API's audience,
// people whose email and groups claims the tests choose, and its signing key, so a test can also mint
// tokens the provider would never issue (expired, for another audience, from another issuer).
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';
import type { Server } from 'node:http';
import { loginAs } from './oidc-login-form.js';
import { freePort } from './ports.js';

export const API_AUDIENCE = 'incident-api';
export const API_RESOURCE = 'urn:incident-api';

export interface OidcTestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** An access token for `person`, through the real authorization-code flow and login form. */
  accessToken(person: string, redirectUri?: string): Promise<string>;
  /** A token signed with the provider's key, with claims of the test's choosing. */
  mint(
    claims: Record<string, unknown>,
    options?: { expiresIn?: string; audience?: string; issuer?: string },
  ): Promise<string>;
  stop(): Promise<void>;
}

export async function startOidcProvider({
  people,
  redirectUris,
}: {
  people: Record<string, { email: string; groups: string[] }>;
  redirectUris: string[];
}): Promise<OidcTestProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const clientId = 'incident-console';
  const clientSecret = 'console-secret-0123456789abcdef';
  const claimsOf = (sub: string) => ({
    sub,
    email: people[sub]?.email ?? `${sub}@example.com`,
    groups: people[sub]?.groups ?? [],
  });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [...redirectUris, 'http://127.0.0.1:1/callback'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk] },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => claimsOf(sub) }),
    claims: { openid: ['sub'], email: ['email'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'openid email profile groups',
          audience: API_AUDIENCE,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    extraTokenClaims: async (_ctx, token) => {
      const { email, groups } = claimsOf(String((token as { accountId?: string }).accountId));
      return { email, groups };
    },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, IdToken: 600 },
  });
  const server: Server = await new Promise((resolve) => {
    const listening = provider.listen(port, '127.0.0.1', () => resolve(listening));
  });

  return {
    issuer,
    clientId,
    clientSecret,
    async accessToken(person, redirectUri = 'http://127.0.0.1:1/callback') {
      return loginAs({ issuer, clientId, clientSecret, redirectUri, resource: API_RESOURCE }, person);
    },
    async mint(claims, { expiresIn = '10m', audience = API_AUDIENCE, issuer: claimedIssuer = issuer } = {}) {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'at+jwt' })
        .setIssuer(claimedIssuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(privateKey);
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
