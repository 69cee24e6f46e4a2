// Console sign-in with OpenID Connect: the authorization-code flow with PKCE (openid-client), its
// state and code verifier kept in a short-lived signed cookie between the redirect and the callback.
// The signed-in person is the access token's (verified as the API verifies bearer tokens) or, when
// the identity provider issues opaque access tokens, the ID token's.
import * as client from 'openid-client';
import type { Identity } from './authenticator.js';
import type { OidcVerifier } from './oidc.js';
import { SESSION_COOKIE, type SessionCookies } from './sessions.js';

const LOGIN_COOKIE = 'incident_login';
const LOGIN_MAX_AGE_MS = 10 * 60_000;
const SESSION_MAX_AGE_MS = 12 * 3_600_000;

export interface OidcLoginOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** This server's /auth/callback, as the identity provider has it registered. */
  redirectUri: string;
  /** RFC 8707 resource indicator for the API's access tokens, where the provider wants one. */
  resource?: string;
}

export class OidcLogin {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(
    private readonly options: OidcLoginOptions,
    private readonly verifier: OidcVerifier,
    private readonly sessions: SessionCookies,
  ) {}

  /** Where to send the browser, and the cookie that remembers this attempt. */
  async start(returnTo: string): Promise<{ location: string; cookie: string }> {
    const config = await this.config();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri,
      scope: 'openid email profile groups',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      ...(this.options.resource ? { resource: this.options.resource } : {}),
    });
    const cookie = this.sessions.issue(
      LOGIN_COOKIE,
      { state, codeVerifier, returnTo: safeReturn(returnTo) },
      LOGIN_MAX_AGE_MS,
    );
    return { location: url.href, cookie };
  }

  /** Completes the sign-in: the session cookie, and where the person was going. */
  async finish(
    callbackUrl: URL,
    attempt: { state: string; codeVerifier: string; returnTo: string } | undefined,
  ): Promise<{ identity: Identity; cookies: string[]; location: string }> {
    if (!attempt) throw new Error('the sign-in took too long or was started elsewhere: start it again');
    const tokens = await client.authorizationCodeGrant(
      await this.config(),
      callbackUrl,
      { pkceCodeVerifier: attempt.codeVerifier, expectedState: attempt.state },
      this.options.resource ? { resource: this.options.resource } : undefined,
    );
    const identity = await this.verifier.verify(tokens.access_token).catch(() => {
      const claims = tokens.claims();
      if (!claims) throw new Error('the identity provider returned neither a verifiable access token nor an ID token');
      return this.verifier.identityOf(claims);
    });
    const maxAge = Math.min(SESSION_MAX_AGE_MS, (tokens.expires_in ?? 3_600) * 1000);
    return {
      identity,
      cookies: [this.sessions.issue(SESSION_COOKIE, identity, maxAge), this.sessions.clear(LOGIN_COOKIE)],
      location: attempt.returnTo,
    };
  }

  get redirectUri(): string {
    return this.options.redirectUri;
  }

  loginAttempt = (req: Parameters<SessionCookies['read']>[0]) =>
    this.sessions.read<{ state: string; codeVerifier: string; returnTo: string }>(req, LOGIN_COOKIE);

  private config(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.options;
    // Plain http only for an identity provider on this machine (tests, a local Keycloak).
    const local = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(issuer);
    this.configuration ??= client
      .discovery(
        new URL(issuer),
        clientId,
        clientSecret,
        undefined,
        local ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((err: unknown) => {
        this.configuration = undefined;
        throw err;
      });
    return this.configuration;
  }
}

/** Only a path of this server: an open redirect would hand the session to another site. */
function safeReturn(returnTo: string): string {
  return /^\/(?![/\\])[^\s]*$/.test(returnTo) ? returnTo : '/';
}
