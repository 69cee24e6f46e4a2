// Who is asking (product.md §8): proven by a credential, never typed. Sources, in the order they are
// tried: a bearer token (a personal API token, an OpenID Connect JWT, or the shared API_TOKEN, which
// proves no person), then an authenticating proxy's header, accepted only with proof that the proxy
// set it. With no identity source at all the product runs for one person on loopback, who types a name.
import type { IncomingMessage } from 'node:http';
import type { IdentitySource } from '../../runbooks/vocabulary.js';
import { HttpError } from '../http/json.js';
import { sameSecret } from '../http/secret-compare.js';
import { PersonalTokens } from './personal-tokens.js';
import type { SessionCookies } from './sessions.js';
import type { Directory } from '../../runbooks/directory.js';
import { inDirectory } from './directory-lookup.js';

export interface Identity {
  person: string;
  via: IdentitySource;
  /** Groups the source vouches for (the IdP's group claim); never from the request. */
  groups: string[];
}

/** Verifies an OpenID Connect bearer JWT (oidc.ts); undefined when it is not one. */
export interface BearerVerifier {
  verify(token: string): Promise<Identity>;
}

export interface ProxyIdentityOptions {
  /** The header the proxy puts the person in (lower case). */
  header: string;
  /** The proxy proves itself with this secret in `secretHeader` … */
  secret?: string;
  secretHeader: string;
  /** … or by connecting from one of these addresses. */
  trustedPeers: string[];
}

export interface AuthenticatorOptions {
  apiToken?: string;
  tokens?: PersonalTokens;
  /** Personal tokens count as an identity source (PERSONAL_TOKENS=on). */
  tokensAreASource: boolean;
  oidc?: BearerVerifier;
  /** The console's signed session cookies after an OpenID Connect sign-in. */
  sessions?: SessionCookies;
  proxy?: ProxyIdentityOptions;
  /** The people directory: every verified identity becomes its directory id (directory-lookup.ts). */
  directory?: () => Promise<Directory>;
}

/** What a request proved: a person, the shared API token (reads only), or nothing. */
export type Credentials = { identity: Identity } | { sharedToken: true } | { none: true };

export class Authenticator {
  constructor(private readonly options: AuthenticatorOptions) {}

  /** No identity source: the one person on loopback types their name (`local`). */
  get open(): boolean {
    return !this.options.oidc && !this.options.proxy && !this.options.tokensAreASource;
  }

  /** Throws a 401 for a credential that is presented and wrong; a request with none proves nothing. */
  async credentials(req: IncomingMessage): Promise<Credentials> {
    const found = await this.presented(req);
    if (!('identity' in found) || !this.options.directory) return found;
    return { identity: inDirectory(await this.options.directory(), found.identity) };
  }

  private async presented(req: IncomingMessage): Promise<Credentials> {
    const bearer = bearerToken(req);
    if (bearer !== undefined) return this.fromBearer(bearer);
    const session = this.options.sessions?.identity(req);
    if (session) return { identity: session };
    const proxy = this.options.proxy;
    if (proxy && req.headers[proxy.header] !== undefined) return { identity: this.fromProxy(req, proxy) };
    return { none: true };
  }

  /** For reading routes: any credential; none on an open server without API_TOKEN. */
  async reader(req: IncomingMessage): Promise<Credentials> {
    const found = await this.credentials(req);
    if ('none' in found && (this.options.apiToken || !this.open)) throw unauthenticated(this.describe());
    return found;
  }

  /** For writing routes: the verified person, or undefined on an open server (the body's typed name stands). */
  async person(req: IncomingMessage): Promise<Identity | undefined> {
    const found = await this.credentials(req);
    if ('identity' in found) return found.identity;
    if (this.open && ('sharedToken' in found || !this.options.apiToken)) return undefined;
    throw unauthenticated(`Writes need a verified person: ${this.describe()}`);
  }

  /** The identity sources, for errors and the start-up banner. */
  describe(): string {
    const ways = [
      ...(this.options.tokens && (this.options.tokensAreASource || !this.open)
        ? ['Authorization: Bearer <personal API token>']
        : []),
      ...(this.options.oidc
        ? [
            `Authorization: Bearer <OpenID Connect access token>${this.options.sessions ? ' (or sign in to the console)' : ''}`,
          ]
        : []),
      ...(this.options.proxy ? [`the authenticating proxy's ${this.options.proxy.header}`] : []),
      ...(this.options.apiToken && this.open ? ['Authorization: Bearer <API_TOKEN>'] : []),
    ];
    return ways.length ? `send ${ways.join(', or ')}` : 'no credential is configured';
  }

  private async fromBearer(token: string): Promise<Credentials> {
    const { tokens, oidc, apiToken } = this.options;
    if (tokens && PersonalTokens.looksLikeOne(token)) {
      const verdict = await tokens.verify(token);
      if ('refused' in verdict) throw unauthenticated(`Personal API token refused: ${verdict.refused}`);
      return { identity: { person: verdict.user, via: 'api-token', groups: [] } };
    }
    if (oidc && token.split('.').length === 3) return { identity: await oidc.verify(token) };
    if (apiToken && sameSecret(token, apiToken)) return { sharedToken: true };
    throw unauthenticated(`Bearer token refused: ${this.describe()}`);
  }

  private fromProxy(req: IncomingMessage, proxy: ProxyIdentityOptions): Identity {
    const fromProxy =
      (proxy.secret !== undefined && sameSecret(String(req.headers[proxy.secretHeader] ?? ''), proxy.secret)) ||
      proxy.trustedPeers.includes(normalisePeer(req.socket.remoteAddress));
    if (!fromProxy) throw unauthenticated(`${proxy.header} is accepted only from the authenticating proxy`);
    const values = req.headersDistinct[proxy.header] ?? [];
    if (values.length !== 1 || !values[0]!.trim() || values[0]!.includes(',')) {
      throw unauthenticated(`${proxy.header} must carry exactly one person`);
    }
    return { person: values[0]!.normalize('NFKC').trim(), via: 'proxy', groups: [] };
  }
}

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticated('Authorization must be "Bearer <token>"');
  return match[1]!;
}

/** `::ffff:127.0.0.1` → `127.0.0.1`. */
function normalisePeer(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}

export class Unauthenticated extends HttpError {}

function unauthenticated(message: string): Unauthenticated {
  return new Unauthenticated(401, message, [{ field: 'authorization', message }]);
}
