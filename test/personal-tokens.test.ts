// Personal API tokens: shown once, kept only as a keyed hash, expiring and revocable; made on the
// server's host with `incident token create --local`, or through the API by an administrator.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { IncidentError } from '../app/incident-error.js';
import { PersonalTokens } from '../app/identity/personal-tokens.js';
import { TokenAdmin } from '../app/identity/token-admin.js';
import { RunbookSource } from '../runbooks/source.js';
import { repoRoot, tempDir } from './support/paths.js';
import { runCli } from './support/product.js';

/** The secret is base64url, so it may itself hold underscores: it is everything after the id. */
function secretOf(token: string): string {
  const secret = token.split('_').slice(2).join('_');
  assert.equal(secret.length, 43);
  return secret;
}

describe('personal API tokens', () => {
  it('verify as their person, are stored only as a keyed hash, and stop working when revoked or expired', async () => {
    const dir = await tempDir('tokens');
    const tokens = new PersonalTokens(dir);
    const { token, record } = await tokens.create({ user: 'alice', expiresInMs: 86_400_000, createdBy: 'maria' });
    assert.match(token, /^irt_[a-z0-9]{10}_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(await tokens.verify(token), { user: 'alice', id: record.id });
    const stored = await readFile(join(dir, 'api-tokens.json'), 'utf8');
    assert.ok(!stored.includes(secretOf(token)), 'the secret is never stored');
    assert.ok(!(await tokens.list()).some((t) => 'hash' in t), 'listing shows no hashes');
    // Another key (another server, a stolen file): the same token is unknown.
    assert.deepEqual(await new PersonalTokens(dir, 'another-server-key-0123456789abcdef').verify(token), {
      refused: 'unknown token',
    });
    assert.deepEqual(await tokens.verify(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`), {
      refused: 'unknown token',
    });
    await tokens.revoke(record.id, 'maria');
    assert.match(String(((await tokens.verify(token)) as { refused: string }).refused), /was revoked/);
    const { token: short } = await tokens.create({ user: 'bob', expiresInMs: -1, createdBy: 'maria' });
    assert.match(String(((await tokens.verify(short)) as { refused: string }).refused), /expired/);
  });

  it('are administered only by those the policy names (group:incident-admins)', async () => {
    const admin = new TokenAdmin(
      new PersonalTokens(await tempDir('tokens')),
      new RunbookSource(join(repoRoot, 'runbooks')),
    );
    const refused = await admin
      .create({ actor: 'mallory', via: 'api-token' }, { user: 'mallory', expires: '90d' })
      .catch((e: unknown) => e);
    assert.ok(refused instanceof IncidentError);
    assert.equal(refused.kind, 'NotAuthorized');
    assert.equal(refused.message, 'mallory may not create API tokens: only members of group incident-admins may');
    const made = await admin.create({ actor: 'maria', via: 'oidc' }, { user: 'alice', expires: '30d' });
    assert.equal(made.record.createdBy, 'maria');
    assert.equal((await admin.list({ actor: 'maria', via: 'oidc' })).length, 1);
    const tooLong = await admin
      .create({ actor: 'maria', via: 'oidc' }, { user: 'alice', expires: '5000d' })
      .catch((e: unknown) => e);
    assert.match((tooLong as Error).message, /at most 400d/);
    assert.equal((await admin.revoke({ actor: 'maria', via: 'oidc' }, made.record.id)).revokedBy, 'maria');
  });

  it('are made on the host with `incident token create --local`, shown once', async () => {
    const dir = await tempDir('tokens');
    const made = await runCli(['token', 'create', '--user', 'alice', '--expires', '7d', '--local'], { DATA_DIR: dir });
    assert.equal(made.code, 0, made.stderr);
    const token = made.stdout.split('\n')[0]!;
    assert.deepEqual(
      await new PersonalTokens(dir).verify(token).then((v) => ('user' in v ? v.user : v.refused)),
      'alice',
    );
    const listed = await runCli(['token', 'list', '--local'], { DATA_DIR: dir });
    assert.match(listed.stdout, /alice/);
    assert.ok(!listed.stdout.includes(secretOf(token)), 'never shown again');
    const bad = await runCli(['token', 'create', '--user', 'alice', '--expires', 'forever', '--local'], {
      DATA_DIR: dir,
    });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expires must be a duration such as 90d/);
  });
});
