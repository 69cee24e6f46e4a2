// OpenID Connect bearer tokens (product.md §8): a JWT access token verified against the issuer's
// published keys (JWKS), for the issuer, the audience and the time it names (with a little clock
// skew). The person is a configurable claim (email by default, else sub); groups come from the IdP's
// group claim, which the workflow then accepts for `group:` approvers without a groups.yaml entry.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Identity, BearerVerifier } from './authenticator.js';
import { Unauthenticated } from './authenticator.js';

export interface OidcOptions {
  issuer: string;
  /** The `aud` the API's access tokens carry. */
  audience: string;
  personClaim: string;
  groupsClaim: string;
  clockToleranceSeconds: number;
}

const INVISIBLE = /[\p{Cc}\p{Cf}]/u;

export class OidcVerifier implements BearerVerifier {
  private keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  constructor(private readonly options: OidcOptions) {}

  async verify(token: string): Promise<Identity> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.jwks(), {
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSeconds,
      }));
    } catch (err) {
      throw refused(reason(err));
    }
    return this.identityOf(payload);
  }

  /** The person and groups of verified claims (an access token's, or an ID token's after a sign-in). */
  identityOf(claims: JWTPayload): Identity {
    const raw = claims[this.options.personClaim] ?? claims.sub;
    if (typeof raw !== 'string' || !raw.trim())
      throw refused(`the token names no person (no ${this.options.personClaim} or sub claim)`);
    const person = raw.normalize('NFKC').trim();
    if (INVISIBLE.test(person)) throw refused('the person claim contains control or format characters');
    const claimed = claims[this.options.groupsClaim];
    const groups = Array.isArray(claimed)
      ? claimed.filter((g): g is string => typeof g === 'string').map((g) => g.trim())
      : [];
    return { person, via: 'oidc', groups };
  }

  /** The issuer's JWKS, found through its discovery document once; jose refreshes the keys themselves. */
  private jwks(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.keys ??= discover(this.options.issuer).then(
      ({ jwks_uri }) => createRemoteJWKSet(new URL(jwks_uri), { timeoutDuration: 5_000 }),
      (err: Error) => {
        this.keys = undefined;
        throw new Unauthenticated(503, `Cannot reach the identity provider ${this.options.issuer}: ${err.message}`, []);
      },
    );
    return this.keys;
  }
}

export async function discover(
  issuer: string,
): Promise<{ jwks_uri: string; authorization_endpoint: string; token_endpoint: string }> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const metadata = (await response.json()) as {
    issuer?: string;
    jwks_uri?: string;
    authorization_endpoint?: string;
    token_endpoint?: string;
  };
  if (
    metadata.issuer !== issuer ||
    !metadata.jwks_uri ||
    !metadata.authorization_endpoint ||
    !metadata.token_endpoint
  ) {
    throw new Error(`${url} is not this issuer's discovery document (issuer ${metadata.issuer ?? 'missing'})`);
  }
  return metadata as { jwks_uri: string; authorization_endpoint: string; token_endpoint: string };
}

function reason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed)
    return `the token's ${err.claim} claim is not this server's (${err.reason})`;
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey)
    return 'the token is not signed by the identity provider';
  if (err instanceof Unauthenticated) throw err;
  return `the token is not a valid JWT (${(err as Error).message})`;
}

function refused(why: string): Unauthenticated {
  const message = `OpenID Connect token refused: ${why}`;
  return new Unauthenticated(401, message, [{ field: 'authorization', message }]);
}
