// OpenID Connect bearer tokens against a real OpenID provider on 127.0.0.1 (oidc-provider): the
// person and groups come from the verified token; expired, wrong-audience, wrong-issuer and forged
// tokens are 401; a group claim grants a group's approval with no groups.yaml entry.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { incidentRoutes } from '../app/http/incident-routes.js';
import { startHttpServer, stopHttpServer } from '../app/http/server.js';
import { Authenticator } from '../app/identity/authenticator.js';
import { OidcVerifier } from '../app/identity/oidc.js';
import { createHealthCheck } from '../app/health.js';
import { createLogger } from '../integrations/log.js';
import type { ContainmentStep, IncidentState } from '../workflows/types.js';
import { API_AUDIENCE, startOidcProvider, type OidcTestProvider } from './support/oidc-provider.js';
import { freePort } from './support/ports.js';
import { runCli } from './support/product.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

let harness: TemporalHarness;
let idp: OidcTestProvider;
let server: Server;
let base: string;
const tokens: Record<string, string> = {};

before(async () => {
  harness = await startTemporalHarness();
  idp = await startOidcProvider({
    people: {
      alice: { email: 'alice@example.com', groups: [] },
      mallory: { email: 'mallory@example.com', groups: [] },
      // In no groups.yaml group: only the identity provider says quinn is on the safety rota.
      quinn: { email: 'quinn@example.com', groups: ['safety-oncall'] },
    },
    redirectUris: [],
  });
  const service = harness.service();
  const port = await freePort();
  const oidc = new OidcVerifier({
    issuer: idp.issuer,
    audience: API_AUDIENCE,
    personClaim: 'email',
    groupsClaim: 'groups',
    clockToleranceSeconds: 60,
  });
  server = await startHttpServer('127.0.0.1', port, {
    routes: incidentRoutes(service),
    health: createHealthCheck({ ...harness.temporal, worker: harness.worker, taskQueue: harness.taskQueue }),
    auth: new Authenticator({ oidc, tokensAreASource: false }),
    refused: (id, refusal) => service.recordRefusal(id, refusal),
    log: createLogger('error'),
  });
  base = `http://127.0.0.1:${port}`;
  for (const person of ['alice', 'mallory', 'quinn']) tokens[person] = await idp.accessToken(person);
});
after(async () => {
  if (server) await stopHttpServer(server);
  await idp?.stop();
  await harness?.stop();
});

async function call<T>(
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

describe('OpenID Connect bearer tokens', () => {
  it("act as the token's person: mallory is refused an IC-only step, the IC's token approves, and the timeline says alice (oidc)", async () => {
    const declared = await call<{ id: string }>('POST', '/api/incidents', tokens.alice, {
      title: 'Agent mailing data',
      category: 'prompt-injection',
      severity: 'P1',
    });
    assert.equal(declared.status, 201);
    const id = declared.body.id;
    const state = (await call<IncidentState>('GET', `/api/incidents/${id}`, tokens.alice)).body;
    assert.equal(state.commander, 'alice@example.com');
    const byMallory = await call<{ error: string }>('POST', `/api/incidents/${id}/approvals`, tokens.mallory, {
      stepId: 'kill-assistant',
      decision: 'approve',
    });
    assert.equal(byMallory.status, 403);
    const cli = await runCli(['approve', id, 'kill-assistant'], {
      INCIDENT_API_URL: base,
      INCIDENT_TOKEN: tokens.mallory!,
    });
    assert.equal(cli.code, 1);
    assert.match(
      cli.stderr,
      /mallory@example\.com may not approve step "kill-assistant": only the incident commander may \(HTTP 403\)/,
    );
    const approved = await call<ContainmentStep>('POST', `/api/incidents/${id}/approvals`, tokens.alice, {
      stepId: 'kill-assistant',
      decision: 'approve',
    });
    assert.equal(approved.status, 200);
    assert.deepEqual([approved.body.decision?.by, approved.body.decision?.via], ['alice@example.com', 'oidc']);
    const timeline = (await call<IncidentState>('GET', `/api/incidents/${id}`, tokens.alice)).body.timeline;
    const entry = timeline.find((e) => e.type === 'containment.approved');
    assert.deepEqual([entry?.actor, entry?.via], ['alice@example.com', 'oidc']);
    const shown = await runCli(['show', id], { INCIDENT_API_URL: base, INCIDENT_TOKEN: tokens.alice! });
    assert.match(shown.stdout, /approved by alice@example\.com \(oidc\)/);
  });

  it('take groups from the group claim: quinn approves for group:safety-oncall with no groups.yaml entry', async () => {
    const { body } = await call<{ id: string }>('POST', '/api/incidents', tokens.alice, {
      title: 'Injection via web page',
      category: 'prompt-injection',
      severity: 'P2',
    });
    const step = await call<ContainmentStep>('POST', `/api/incidents/${body.id}/approvals`, tokens.quinn, {
      stepId: 'disable-send-email',
      decision: 'approve',
    });
    assert.equal(step.status, 200);
    assert.equal(step.body.decision?.by, 'quinn@example.com');
    const claimed = await call<{ error: string }>('POST', `/api/incidents/${body.id}/approvals`, tokens.mallory, {
      stepId: 'disable-web-browse',
      decision: 'approve',
      memberOf: ['safety-oncall'],
    });
    assert.equal(claimed.status, 403, 'a body cannot claim a group');
  });

  it('refuse expired, wrong-audience, wrong-issuer and forged tokens with 401 and the reason', async () => {
    const claims = { sub: 'alice', email: 'alice@example.com' };
    const cases: [string, string, RegExp][] = [
      ['expired', await idp.mint(claims, { expiresIn: '-5m' }), /expired/],
      ['for another API', await idp.mint(claims, { audience: 'another-api' }), /aud claim/],
      ['from another issuer', await idp.mint(claims, { issuer: 'https://evil.example' }), /iss claim/],
      [
        'forged',
        `${tokens.alice!.split('.').slice(0, 2).join('.')}.${'A'.repeat(342)}`,
        /not signed by the identity provider/,
      ],
    ];
    for (const [what, token, reason] of cases) {
      const answer = await call<{ error: string }>('GET', '/api/incidents', token);
      assert.equal(answer.status, 401, what);
      assert.match(answer.body.error, reason, what);
    }
    assert.equal((await call('GET', '/api/incidents', undefined)).status, 401, 'no token');
    assert.equal(
      (await call('GET', '/api/incidents', await idp.mint(claims, { expiresIn: '-30s' }))).status,
      200,
      'within the clock skew',
    );
  });
});
