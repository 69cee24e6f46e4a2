// What the server enforces for the console, whatever the page does: same-origin writes carrying the
// page's CSRF token; the acting person from a verified identity (a proxy's header with its proof, a
// personal token), never the body; and reads and writes refused without credentials once an identity
// source is configured.
import assert from 'node:assert/strict';
import { request, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createHealthCheck } from '../app/health.js';
import { consoleRoutes } from '../app/http/console-routes.js';
import { incidentRoutes } from '../app/http/incident-routes.js';
import { startHttpServer, stopHttpServer } from '../app/http/server.js';
import { Authenticator, type AuthenticatorOptions } from '../app/identity/authenticator.js';
import { PersonalTokens } from '../app/identity/personal-tokens.js';
import { createLogger } from '../integrations/log.js';
import { freePort } from './support/ports.js';
import { tempDir } from './support/paths.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const CSRF = 'csrf-token-for-this-test-0123456789';
const PROXY_SECRET = 'proxy-secret-0123456789abcdef';
let harness: TemporalHarness;
const servers: Server[] = [];

async function serve(auth: AuthenticatorOptions, extra: { allowedHosts?: string[] } = {}): Promise<string> {
  const service = harness.service();
  const port = await freePort();
  const authenticator = new Authenticator(auth);
  servers.push(
    await startHttpServer('127.0.0.1', port, {
      routes: [
        ...incidentRoutes(service),
        ...consoleRoutes({ csrfToken: CSRF, auth: authenticator, signIn: false, namespace: 'default' }),
      ],
      health: createHealthCheck({ ...harness.temporal, worker: harness.worker, taskQueue: harness.taskQueue }),
      writes: { csrfToken: CSRF },
      auth: authenticator,
      refused: (id, refusal) => service.recordRefusal(id, refusal),
      ...extra,
      log: createLogger('error'),
    }),
  );
  return `127.0.0.1:${port}`;
}

before(async () => {
  harness = await startTemporalHarness();
});
after(async () => {
  for (const server of servers) await stopHttpServer(server);
  await harness?.stop();
});

const post = (host: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`http://${host}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const declaration = { title: 'Agent deletes files', category: 'excessive-agency', severity: 'P1', commander: 'alice' };
const proxy = {
  header: 'x-forwarded-user',
  secret: PROXY_SECRET,
  secretHeader: 'x-auth-proxy-secret',
  trustedPeers: [],
};
const fromProxy = (user: string) => ({ 'x-forwarded-user': user, 'x-auth-proxy-secret': PROXY_SECRET });

describe('console writes behind an authenticating proxy (AUTH_USER_HEADER with AUTH_PROXY_SECRET)', () => {
  let host: string;
  before(async () => (host = await serve({ proxy, tokensAreASource: false })));

  it("takes the person from the proxy's header, and only with the proxy's proof", async () => {
    assert.equal((await post(host, '/api/incidents', declaration)).status, 401);
    const direct = await post(host, '/api/incidents', declaration, { 'x-forwarded-user': 'bob' });
    assert.equal(direct.status, 401, 'a direct caller setting the header proves nothing');
    assert.match(((await direct.json()) as { error: string }).error, /accepted only from the authenticating proxy/);
    const declared = await post(host, '/api/incidents', declaration, fromProxy('bob'));
    assert.equal(declared.status, 201);
    const { id } = (await declared.json()) as { id: string };
    const read = (path: string) => fetch(`http://${host}${path}`, { headers: fromProxy('bob') });
    const state = (await (await read(`/api/incidents/${id}`)).json()) as {
      declaredBy: string;
      commander: string;
      timeline: { type: string; actor: string; via?: string }[];
    };
    assert.deepEqual([state.declaredBy, state.commander], ['bob', 'alice']);
    assert.equal(
      state.timeline.find((e) => e.type === 'declared')?.via,
      'proxy',
      'the timeline says how the declarer was identified',
    );

    // mallory names the IC in the body; the proxy says mallory: refused, and recorded.
    const claimed = await post(
      host,
      `/api/incidents/${id}/approvals`,
      { stepId: 'disable-code-exec', decision: 'approve', actor: 'alice' },
      fromProxy('mallory'),
    );
    assert.equal(claimed.status, 403);
    assert.match(((await claimed.json()) as { error: string }).error, /^mallory \(proxy\) may not act as alice/);
    const asHerself = await post(
      host,
      `/api/incidents/${id}/approvals`,
      { stepId: 'disable-code-exec', decision: 'approve' },
      fromProxy('mallory'),
    );
    assert.equal(asHerself.status, 403);
    assert.match(
      ((await asHerself.json()) as { error: string }).error,
      /^mallory may not approve step "disable-code-exec": only /,
    );

    const twoPeople = await post(
      host,
      `/api/incidents/${id}/approvals`,
      { stepId: 'disable-code-exec', decision: 'approve' },
      { ...fromProxy('sam'), 'x-forwarded-user': 'sam, mallory' },
    );
    assert.equal(twoPeople.status, 401, 'one header value, one person');

    let refusals: { type: string; actor: string; via?: string; data?: { decision?: string } }[] = [];
    for (let i = 0; i < 50 && refusals.length < 2; i++) {
      refusals = ((await (await read(`/api/incidents/${id}`)).json()) as typeof state).timeline.filter((e) =>
        e.type.endsWith('.refused'),
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(refusals.map((e) => [e.actor, e.via, e.data?.decision]).sort(), [
      ['mallory', 'proxy', 'act-as'],
      ['mallory', 'proxy', 'approve'],
    ]);
    const console = (await (await read('/api/console')).json()) as { identity: unknown };
    assert.deepEqual(console.identity, { mode: 'verified', user: 'bob', via: 'proxy' });
  });

  it('refuses a browser write from another origin, or without the page token', async () => {
    const asBob = fromProxy('bob');
    const crossSite = await post(host, '/api/incidents', declaration, {
      ...asBob,
      origin: 'https://evil.example',
      'x-csrf-token': CSRF,
    });
    assert.equal(crossSite.status, 403);
    assert.match(
      ((await crossSite.json()) as { error: string }).error,
      /Cross-origin request from https:\/\/evil.example refused/,
    );
    const noToken = await post(host, '/api/incidents', declaration, { ...asBob, origin: `http://${host}` });
    assert.equal(noToken.status, 403);
    assert.match(((await noToken.json()) as { error: string }).error, /CSRF token/);
    const wrongToken = await post(host, '/api/incidents', declaration, {
      ...asBob,
      'sec-fetch-site': 'same-origin',
      'x-csrf-token': 'guess',
    });
    assert.equal(wrongToken.status, 403);
    const page = await (await fetch(`http://${host}/`)).text();
    assert.match(page, new RegExp(`<meta name="csrf-token" content="${CSRF}"`), 'the page carries the token');
    assert.equal(
      (await post(host, '/api/incidents', declaration, { ...asBob, origin: `http://${host}`, 'x-csrf-token': CSRF }))
        .status,
      201,
    );
  });
});

describe('personal API tokens as the identity source (PERSONAL_TOKENS=on)', () => {
  it('act as their person; without one, reads and writes are refused; a revoked or forged one is 401', async () => {
    const tokens = new PersonalTokens(await tempDir('tokens'));
    const host = await serve({ tokens, tokensAreASource: true });
    const { token: alice, record } = await tokens.create({ user: 'alice', expiresInMs: 3_600_000, createdBy: 'test' });
    const { token: expired } = await tokens.create({ user: 'alice', expiresInMs: -1, createdBy: 'test' });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    assert.equal((await fetch(`http://${host}/api/incidents`)).status, 401, 'no credential, no read');
    assert.equal((await post(host, '/api/incidents', declaration)).status, 401);
    assert.deepEqual(
      ((await (await fetch(`http://${host}/api/console`, { headers: bearer(alice) })).json()) as { identity: unknown })
        .identity,
      {
        mode: 'verified',
        user: 'alice',
        via: 'api-token',
      },
    );
    const declared = await post(host, '/api/incidents', { ...declaration, commander: undefined }, bearer(alice));
    assert.equal(declared.status, 201);
    const { id } = (await declared.json()) as { id: string };
    const step = await post(
      host,
      `/api/incidents/${id}/approvals`,
      { stepId: 'disable-code-exec', decision: 'approve' },
      bearer(alice),
    );
    assert.equal(step.status, 200);
    const decision = ((await step.json()) as { decision: { by: string; via: string } }).decision;
    assert.deepEqual([decision.by, decision.via], ['alice', 'api-token'], 'the timeline says alice (api-token)');
    for (const wrong of [expired, `${alice.slice(0, -2)}xx`, 'irt_0000000000_' + 'a'.repeat(43)]) {
      assert.equal((await fetch(`http://${host}/api/incidents`, { headers: bearer(wrong) })).status, 401);
    }
    await tokens.revoke(record.id, 'test');
    await new Promise((r) => setTimeout(r, 1_100)); // the store is re-read within a second
    const revoked = await fetch(`http://${host}/api/incidents`, { headers: bearer(alice) });
    assert.equal(revoked.status, 401);
    assert.match(((await revoked.json()) as { error: string }).error, /was revoked/);
  });
});

describe('the server itself', () => {
  it('checks the API token on encoded paths too, and answers on loopback only to loopback names', async () => {
    const host = await serve(
      { apiToken: 'api-token-0123456789abcdef', tokensAreASource: false },
      { allowedHosts: ['127.0.0.1', 'localhost', '[::1]'] },
    );
    assert.equal((await fetch(`http://${host}/ap%69/incidents`)).status, 401);
    assert.equal(
      (await fetch(`http://${host}/api/incidents`, { headers: { authorization: 'Bearer api-token-0123456789abcdef' } }))
        .status,
      200,
    );
    const port = host.split(':')[1]!;
    const status = (hostHeader: string) =>
      new Promise<number>((resolve, reject) =>
        request({ host: '127.0.0.1', port, path: '/', headers: { host: hostHeader } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
          .on('error', reject)
          .end(),
      );
    assert.equal(
      await status(`rebound.evil.example:${port}`),
      421,
      'a DNS-rebinding page gets nothing, not even the CSRF token',
    );
    assert.equal(await status(`localhost:${port}`), 200);
    assert.equal(await status('localhost:8080'), 200, 'through an SSH tunnel on another port too');
  });
});
