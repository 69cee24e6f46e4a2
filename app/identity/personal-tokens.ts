// Personal API tokens, for automation and for teams without an identity provider (product.md §8). A
// token is shown once, when it is made; the store keeps its HMAC-SHA256 under a server key, never
// the token. Each request made with one acts as the token's person.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { JsonFile } from '../../integrations/local-store/json-file.js';

export interface TokenRecord {
  id: string;
  /** The person every request with this token acts as. */
  user: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
  revokedAt?: string;
  revokedBy?: string;
}

interface StoredToken extends TokenRecord {
  /** HMAC-SHA256 of the token's secret under the server key, hex. */
  hash: string;
}

const PREFIX = 'irt';
const TOKEN_PATTERN = /^irt_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$/;
/** How long a read of the store serves requests: revocation takes effect within this. */
const CACHE_MS = 1_000;

export class PersonalTokens {
  private readonly store: JsonFile<{ tokens: StoredToken[] }>;
  private cached: { at: number; tokens: Promise<StoredToken[]> } | undefined;
  private key: Promise<Buffer> | undefined;

  /** `dir`: the data directory (api-tokens.json and the server key live there); `key`: TOKEN_HASH_KEY, else a key file made once. */
  constructor(
    private readonly dir: string,
    private readonly configuredKey?: string,
  ) {
    this.store = new JsonFile(join(dir, 'api-tokens.json'));
  }

  static looksLikeOne(bearer: string): boolean {
    return bearer.startsWith(`${PREFIX}_`);
  }

  async create({
    user,
    expiresInMs,
    createdBy,
  }: {
    user: string;
    expiresInMs: number;
    createdBy: string;
  }): Promise<{ token: string; record: TokenRecord }> {
    const id = randomBytes(5).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const now = new Date();
    const record: StoredToken = {
      id,
      user,
      createdAt: now.toISOString(),
      createdBy,
      expiresAt: new Date(now.getTime() + expiresInMs).toISOString(),
      hash: await this.hash(secret),
    };
    await this.store.exclusive(async () => {
      const doc = (await this.store.read()) ?? { tokens: [] };
      doc.tokens.push(record);
      await this.store.write(doc);
      await chmod(this.store.path, 0o600);
    });
    this.cached = undefined;
    return { token: `${PREFIX}_${id}_${secret}`, record: publicPart(record) };
  }

  async list(): Promise<TokenRecord[]> {
    return (await this.tokens(0)).map(publicPart);
  }

  /** Revokes a token by id; revoking a revoked one changes nothing. */
  async revoke(id: string, by: string): Promise<TokenRecord | undefined> {
    const revoked = await this.store.exclusive(async () => {
      const doc = (await this.store.read()) ?? { tokens: [] };
      const token = doc.tokens.find((t) => t.id === id);
      if (!token) return undefined;
      if (!token.revokedAt) Object.assign(token, { revokedAt: new Date().toISOString(), revokedBy: by });
      await this.store.write(doc);
      return publicPart(token);
    });
    this.cached = undefined;
    return revoked;
  }

  /** The person a presented token acts as, or why it does not. */
  async verify(presented: string): Promise<{ user: string; id: string } | { refused: string }> {
    const match = TOKEN_PATTERN.exec(presented);
    if (!match) return { refused: 'not a personal API token' };
    const [, id, secret] = match;
    const stored = (await this.tokens(CACHE_MS)).find((t) => t.id === id);
    const expected = Buffer.from(stored?.hash ?? '0'.repeat(64), 'hex');
    const matches = timingSafeEqual(Buffer.from(await this.hash(secret!), 'hex'), expected);
    if (!stored || !matches) return { refused: 'unknown token' };
    if (stored.revokedAt) return { refused: `token ${id} was revoked at ${stored.revokedAt}` };
    if (Date.parse(stored.expiresAt) <= Date.now()) return { refused: `token ${id} expired at ${stored.expiresAt}` };
    return { user: stored.user, id: stored.id };
  }

  private tokens(maxAgeMs: number): Promise<StoredToken[]> {
    if (this.cached && Date.now() - this.cached.at <= maxAgeMs) return this.cached.tokens;
    const tokens = this.store.read().then((doc) => doc?.tokens ?? []);
    this.cached = { at: Date.now(), tokens };
    tokens.catch(() => (this.cached = undefined));
    return tokens;
  }

  private async hash(secret: string): Promise<string> {
    this.key ??= this.loadKey();
    return createHmac('sha256', await this.key)
      .update(secret)
      .digest('hex');
  }

  /** TOKEN_HASH_KEY, or a random key written once beside the store (mode 0600). */
  private async loadKey(): Promise<Buffer> {
    if (this.configuredKey) return Buffer.from(this.configuredKey, 'utf8');
    const file = join(this.dir, 'api-token.key');
    const existing = await readFile(file).catch(() => undefined);
    if (existing?.length) return existing;
    const key = randomBytes(32);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, key, { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    return readFile(file);
  }
}

function publicPart({ hash: _hash, ...record }: StoredToken): TokenRecord {
  return record;
}
