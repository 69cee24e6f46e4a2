// What the server enforces for the console, whatever the page does: same-origin writes carrying the
// page's CSRF token, the acting person from the authenticating proxy's header (never the body), and
// no browser writes at all on a non-loopback address without a proxy.
import assert from 'node:assert/strict';
import { request, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createHealthCheck } from '../app/health.js';
import { consoleRoutes } from '../app/http/console-routes.js';
import { incidentRoutes } from '../app/http/incident-routes.js';
import { startHttpServer, stopHttpServer } from '../app/http/server.js';
import { IncidentService } from '../app/incident-service.js';
import { createLogger } from '../integrations/log.js';
import { freePort } from './support/ports.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const CSRF = 'csrf-token-for-this-test-0123456789';
let harness: TemporalHarness;
const servers: Server[] = [];

async function serve(writes: { authUserHeader?: string; loopbackOnly: boolean }, extra: { apiToken?: string; allowedHosts?: string[] } = {}): Promise<string> {
  const service = new IncidentService(harness.client, { taskQueue: harness.taskQueue, runbooks: harness.runbooks });
  const port = await freePort();
  const options = { csrfToken: CSRF, ...writes };
  servers.push(
    await startHttpServer('127.0.0.1', port, {
      routes: [...incidentRoutes(service), ...consoleRoutes({ ...options, namespace: 'default' })],
      health: createHealthCheck({ ...harness.temporal, worker: harness.worker, taskQueue: harness.taskQueue }),
      writes: options,
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
  fetch(`http://${host}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const declaration = { title: 'Agent deletes files', category: 'excessive-agency', severity: 'P1', commander: 'alice', declaredBy: 'mallory' };

describe('console writes behind an authenticating proxy (AUTH_USER_HEADER)', () => {
  let host: string;
  before(async () => (host = await serve({ authUserHeader: 'x-forwarded-user', loopbackOnly: false })));

  it('takes the person from the header, not the body, and refuses a request without it', async () => {
    assert.equal((await post(host, '/api/incidents', declaration)).status, 401);
    const declared = await post(host, '/api/incidents', declaration, { 'x-forwarded-user': 'bob' });
    assert.equal(declared.status, 201);
    const { id } = (await declared.json()) as { id: string };
    const state = (await (await fetch(`http://${host}/api/incidents/${id}`)).json()) as { declaredBy: string; commander: string };
    assert.deepEqual([state.declaredBy, state.commander], ['bob', 'alice']);

    // mallory claims to be the IC in the body; the proxy says mallory.
    const claimed = await post(host, `/api/incidents/${id}/approvals`, { stepId: 'disable-code-exec', decision: 'approve', actor: 'alice' }, { 'x-forwarded-user': 'mallory' });
    assert.equal(claimed.status, 403);
    assert.match(((await claimed.json()) as { error: string }).error, /^mallory may not approve/);

    const encoded = await post(host, `/ap%69/incidents/${id}/approvals`, { stepId: 'disable-code-exec', decision: 'approve', actor: 'alice' }, { 'x-forwarded-user': 'mallory' });
    assert.equal(encoded.status, 403, 'an encoded path is the same route, with the same checks');

    const console = (await (await fetch(`http://${host}/api/console`, { headers: { 'x-forwarded-user': 'bob' } })).json()) as { identity: unknown };
    assert.deepEqual(console.identity, { mode: 'proxy', header: 'x-forwarded-user', user: 'bob' });
  });

  it('refuses a browser write from another origin, or without the page token', async () => {
    const asBob = { 'x-forwarded-user': 'bob' };
    const crossSite = await post(host, '/api/incidents', declaration, { ...asBob, origin: 'https://evil.example', 'x-csrf-token': CSRF });
    assert.equal(crossSite.status, 403);
    assert.match(((await crossSite.json()) as { error: string }).error, /Cross-origin request from https:\/\/evil.example refused/);
    const noToken = await post(host, '/api/incidents', declaration, { ...asBob, origin: `http://${host}` });
    assert.equal(noToken.status, 403);
    assert.match(((await noToken.json()) as { error: string }).error, /CSRF token/);
    const wrongToken = await post(host, '/api/incidents', declaration, { ...asBob, 'sec-fetch-site': 'same-origin', 'x-csrf-token': 'guess' });
    assert.equal(wrongToken.status, 403);
    const page = await (await fetch(`http://${host}/`)).text();
    assert.match(page, new RegExp(`<meta name="csrf-token" content="${CSRF}"`), 'the page carries the token');
    assert.equal((await post(host, '/api/incidents', declaration, { ...asBob, origin: `http://${host}`, 'x-csrf-token': CSRF })).status, 201);
  });
});

describe('console writes without a proxy', () => {
  it('are refused from a browser when the server is not on loopback alone (read-only console)', async () => {
    const host = await serve({ loopbackOnly: false });
    const answer = await post(host, '/api/incidents', declaration, { origin: `http://${host}`, 'x-csrf-token': CSRF });
    assert.equal(answer.status, 403);
    assert.match(((await answer.json()) as { error: string }).error, /authenticating proxy \(AUTH_USER_HEADER\) or on a loopback address/);
    assert.deepEqual(((await (await fetch(`http://${host}/api/console`)).json()) as { identity: unknown }).identity, { mode: 'read-only' });
    assert.equal((await post(host, '/api/incidents', declaration)).status, 201, 'API clients (no Origin) still work, as before');
  });
});

describe('the server itself', () => {
  it('checks the API token on encoded paths too, and answers on loopback only to loopback names', async () => {
    const host = await serve({ loopbackOnly: true }, { apiToken: 'api-token-0123456789abcdef', allowedHosts: ['127.0.0.1', 'localhost', '[::1]'] });
    assert.equal((await fetch(`http://${host}/ap%69/incidents`)).status, 401);
    assert.equal((await fetch(`http://${host}/api/incidents`, { headers: { authorization: 'Bearer api-token-0123456789abcdef' } })).status, 200);
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
    assert.equal(await status(`rebound.evil.example:${port}`), 421, 'a DNS-rebinding page gets nothing, not even the CSRF token');
    assert.equal(await status(`localhost:${port}`), 200);
    assert.equal(await status('localhost:8080'), 200, 'through an SSH tunnel on another port too');
  });
});
