import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createHealthCheck } from '../app/health.js';
import { incidentRoutes } from '../app/http/incident-routes.js';
import { createHmac } from 'node:crypto';
import { kpiRoutes } from '../app/http/kpi-routes.js';
import { ticketWebhookRoutes } from '../app/http/ticket-webhook-routes.js';
import { startHttpServer, stopHttpServer } from '../app/http/server.js';
import { IncidentService, TRIAGE_WAIT_MS } from '../app/incident-service.js';
import { Authenticator } from '../app/identity/authenticator.js';
import { createLogger } from '../integrations/log.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/ports.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const TOKEN = 'test-token-0123456789abcdef';
const WEBHOOK_SECRET = 'whsec-test-0123456789';
const JIRA_SECRET = 'jira-secret-0123456789';
let harness: TemporalHarness;
let service: IncidentService;
let server: Server;
let base: string;

before(async () => {
  harness = await startTemporalHarness();
  service = harness.service();
  const port = await freePort();
  server = await startHttpServer('127.0.0.1', port, {
    routes: [
      ...incidentRoutes(service),
      ...kpiRoutes(service),
      ...ticketWebhookRoutes(service, { githubSecret: WEBHOOK_SECRET, jiraSecret: JIRA_SECRET }),
    ],
    health: createHealthCheck({ ...harness.temporal, worker: harness.worker, taskQueue: harness.taskQueue }),
    auth: new Authenticator({ apiToken: TOKEN, tokensAreASource: false }),
    log: createLogger('error'),
  });
  base = `http://127.0.0.1:${port}`;
});
after(async () => {
  if (server) await stopHttpServer(server);
  await harness?.stop();
});

async function call(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const declaration = {
  title: 'Assistant answers with internal notes',
  category: 'other',
  severity: 'P0',
  declaredBy: 'alice',
};

describe('HTTP JSON API', () => {
  it('answers /healthz without a token, with what it checked', async () => {
    const { status, body } = await call('GET', '/healthz', undefined, null);
    assert.equal(status, 200);
    assert.equal(body.status, 'ok');
    assert.equal(body.temporal.reachable, true);
    assert.equal(body.worker.polling, true);
  });

  it('requires the bearer token on /api when API_TOKEN is set', async () => {
    assert.equal((await call('GET', '/api/incidents', undefined, null)).status, 401);
    const wrong = await call('GET', '/api/incidents', undefined, 'wrong-token-0123456789');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.details[0].field, 'authorization');
    assert.equal((await call('GET', '/api/incidents')).status, 200);
  });

  it('declares with 201 and an id, and shows the state', async () => {
    const created = await call('POST', '/api/incidents', { ...declaration, description: 'PII in answers' });
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^INC-/);
    const shown = await call('GET', `/api/incidents/${created.body.id.toLowerCase()}`);
    assert.equal(shown.status, 200, 'ids are accepted as typed, in lower case too');
    assert.equal(shown.body.description, 'PII in answers');
    assert.equal(shown.body.severity, 'P0');
  });

  it('refuses a declaration with a missing title, naming the field', async () => {
    const { title: _omitted, ...rest } = declaration;
    const { status, body } = await call('POST', '/api/incidents', rest);
    assert.equal(status, 400);
    assert.match(body.error, /title/);
    assert.deepEqual(
      body.details.map((d: { field: string }) => d.field),
      ['title'],
    );
  });

  it('names every invalid field at once', async () => {
    const { status, body } = await call('POST', '/api/incidents', {
      title: 'x',
      category: 'weather',
      severity: 'SEV1',
    });
    assert.equal(status, 400);
    assert.deepEqual(
      body.details.map((d: { field: string }) => d.field).sort(),
      ['category', 'declaredBy', 'severity'],
      'who declares is required too, with no identity source',
    );
    assert.match(body.error, /severity: must be one of P0, P1, P2, P3/);
  });

  it('refuses bodies that are not JSON (400) or too large (413)', async () => {
    const bad = await call('POST', '/api/incidents', '{"title": ');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /not valid JSON/);
    const huge = await call('POST', '/api/incidents', { ...declaration, description: 'x'.repeat(1024 * 1024 + 10) });
    assert.equal(huge.status, 413);
  });

  it('maps decisions to 403, 404, 409 and 200', async () => {
    const { body: created } = await call('POST', '/api/incidents', declaration);
    const path = `/api/incidents/${created.id}/approvals`;
    const forbidden = await call('POST', path, { stepId: 'kill-switch', decision: 'approve', actor: 'mallory' });
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body.error, /mallory may not approve/);
    assert.equal((await call('POST', path, { stepId: 'nope', decision: 'approve', actor: 'alice' })).status, 404);
    assert.equal(
      (
        await call('POST', '/api/incidents/INC-00000/approvals', {
          stepId: 'kill-switch',
          decision: 'approve',
          actor: 'alice',
        })
      ).status,
      404,
    );
    const noReason = await call('POST', path, { stepId: 'kill-switch', decision: 'reject', actor: 'alice' });
    assert.equal(noReason.status, 400);
    assert.equal(noReason.body.details[0].field, 'reason');
    const approved = await call('POST', path, { stepId: 'kill-switch', decision: 'approve', actor: 'alice' });
    assert.equal(approved.status, 200);
    assert.equal(approved.body.status, 'verified');
    const again = await call('POST', path, { stepId: 'kill-switch', decision: 'approve', actor: 'alice' });
    assert.equal(again.status, 409);
  });

  it("answers one person's flood of requests with 429 and Retry-After, counts it on the timeline, and lets the IC through", async () => {
    const { body: created } = await call('POST', '/api/incidents', declaration);
    const path = `/api/incidents/${created.id}/approvals`;
    const flood = await Promise.all(
      Array.from({ length: 100 }, () =>
        fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({ stepId: 'kill-switch', decision: 'approve', actor: 'mallory' }),
        }).then(async (r) => ({
          status: r.status,
          retryAfter: r.headers.get('retry-after'),
          body: (await r.json()) as any,
        })),
      ),
    );
    const limited = flood.filter((r) => r.status === 429);
    assert.equal(flood.filter((r) => r.status === 403).length + limited.length, 100);
    assert.ok(limited.length >= 50, `${limited.length} of 100 limited: a burst of 20, then 5 a second`);
    assert.ok(limited.every((r) => Number(r.retryAfter) >= 1));
    assert.match(
      limited[0]!.body.error,
      /^mallory sent too many requests to INC-\w+ \(at most 20 at once and 5 a second/,
    );
    assert.equal(limited[0]!.body.details[0].field, 'actor');
    const approved = await call('POST', path, { stepId: 'kill-switch', decision: 'approve', actor: 'alice' });
    assert.equal(approved.status, 200, 'the IC has a bucket of her own');
    await service.flushRefusals();
    let counted = 0;
    for (let i = 0; i < 100 && counted < 100; i++) {
      const { timeline } = (await call('GET', `/api/incidents/${created.id}`)).body;
      counted = timeline
        .filter((e: { type: string; actor: string }) => e.type === 'approval.refused' && e.actor === 'mallory')
        .reduce((n: number, e: { data: { count: number } }) => n + e.data.count, 0);
      if (counted < 100) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(counted, 100, 'every attempt, refused or limited, is counted on the timeline');
  });

  it('resolves by the IC only, then lists it as closed', async () => {
    const { body: created } = await call('POST', '/api/incidents', declaration);
    const path = `/api/incidents/${created.id}/resolve`;
    assert.equal((await call('POST', path, { actor: 'alice' })).status, 400);
    assert.equal((await call('POST', path, { actor: 'bob', summary: 'done' })).status, 403);
    const resolved = await call('POST', path, { actor: 'alice', summary: 'index quarantined' });
    assert.equal(resolved.status, 200);
    assert.equal(resolved.body.status, 'resolved');
    assert.equal((await call('POST', path, { actor: 'alice', summary: 'again' })).status, 409);
    const postmortem = `/api/incidents/${created.id}/postmortem`;
    assert.equal((await call('POST', `${postmortem}/complete`, { actor: 'bob' })).status, 403);
    assert.equal((await call('POST', `${postmortem}/complete`, { actor: 'alice' })).status, 200);
    let listed;
    for (let i = 0; i < 50 && !listed; i++) {
      listed = (await call('GET', '/api/incidents?status=all')).body.incidents.find(
        (x: { id: string; open: boolean }) => x.id === created.id && !x.open,
      );
      if (!listed) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(listed?.status, 'closed');
  });

  it('posts status updates: refuses and records a non-IC (403), names text when empty (400), stores the rest', async () => {
    const { body: created } = await call('POST', '/api/incidents', declaration);
    const path = `/api/incidents/${created.id}/updates`;
    const forbidden = await call('POST', path, { actor: 'mallory', text: 'All good' });
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body.error, /mallory may not post a status update .*: only the incident commander may/);
    const empty = await call('POST', path, { actor: 'alice', text: '   ' });
    assert.equal(empty.status, 400);
    assert.deepEqual(
      empty.body.details.map((d: { field: string }) => d.field),
      ['text'],
    );
    const long = await call('POST', path, { actor: 'alice', text: 'x', impact: 'y'.repeat(501) });
    assert.equal(long.status, 400);
    assert.equal(long.body.details[0].field, 'impact');
    const past = await call('POST', path, { actor: 'alice', text: 'x', nextUpdateAt: '2000-01-01T00:00:00Z' });
    assert.equal(past.status, 400);
    assert.match(past.body.error, /nextUpdateAt .* is not in the future/);
    const unpublished = await call('POST', path, { actor: 'alice', text: 'x', visibility: 'public' });
    assert.equal(unpublished.status, 409);
    assert.match(unpublished.body.error, /incident publish/);
    const posted = await call('POST', path, {
      actor: 'alice',
      text: 'Notes removed from answers',
      impact: 'Some users',
    });
    assert.equal(posted.status, 201);
    assert.equal(posted.body.id, 'U1');
    assert.equal(posted.body.by, 'alice');
    let state;
    for (let i = 0; i < 50; i++) {
      state = (await call('GET', `/api/incidents/${created.id}`)).body;
      if (state.timeline.some((e: { type: string }) => e.type === 'request.refused')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const refused = state.timeline.find((e: { type: string }) => e.type === 'request.refused');
    assert.equal(refused?.actor, 'mallory');
    assert.equal(refused?.data?.decision, 'post-status-update');
    assert.deepEqual(
      state.updates.map((u: { id: string; text: string }) => [u.id, u.text]),
      [['U1', 'Notes removed from answers']],
    );
    assert.ok(
      state.timeline.some((e: { type: string; actor: string }) => e.type === 'update.posted' && e.actor === 'alice'),
    );
  });

  it('answers the KPIs as JSON and for Prometheus, behind the token, and refuses a bad window', async () => {
    const kpis = await call('GET', '/api/kpis?since=7d');
    assert.equal(kpis.status, 200);
    assert.ok(kpis.body.incidents.total >= 1, 'the incidents declared by the tests above');
    assert.equal(Date.parse(kpis.body.window.until) - Date.parse(kpis.body.window.since), 7 * 86_400_000);
    assert.ok(Date.parse(kpis.body.asOf) <= Date.now(), `asOf says when its incidents were read: ${kpis.body.asOf}`);
    const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^# HELP incident_/m);
    assert.equal((await fetch(`${base}/metrics`)).status, 401, '/metrics is guarded like the API');
    for (const since of ['yesterday', '99999d', '2000-01-01', '2999-01-01']) {
      const bad = await call('GET', `/api/kpis?since=${since}`);
      assert.equal(bad.status, 400, since);
      assert.equal(bad.body.details[0].field, 'since');
    }
  });

  it("refuses a GitHub delivery without a valid signature, and one whose issue only carries an action's label", async () => {
    const { body: created } = await call('POST', '/api/incidents', declaration);
    const added = await call('POST', `/api/incidents/${created.id}/actions`, {
      actor: 'alice',
      kind: 'prevent',
      title: 'Signed index builds',
      owner: 'dave',
    });
    assert.equal(added.status, 201);
    const payload = JSON.stringify({
      action: 'closed',
      issue: {
        number: 7,
        closed_at: new Date().toISOString(),
        labels: [{ name: 'incident-action' }, { name: `incident-action:${created.id}/A1` }],
        extra: 'ignored',
      },
      sender: { login: 'octocat' },
    });
    const deliver = (signature: string | undefined, event = 'issues') =>
      fetch(`${base}/webhooks/tickets/github`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': event,
          ...(signature ? { 'x-hub-signature-256': signature } : {}),
        },
        body: payload,
      });
    const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;
    for (const forged of [undefined, sign('another-secret'), 'sha256=00']) {
      const refused = await deliver(forged);
      assert.equal(refused.status, 401);
      assert.equal(
        ((await refused.json()) as { details: { field: string }[] }).details[0]!.field,
        'x-hub-signature-256',
      );
    }
    const action = async () => (await call('GET', `/api/incidents/${created.id}/actions`)).body.actions[0];
    assert.equal((await action()).status, 'open', 'a forged delivery changes nothing');
    assert.equal((await deliver(sign(WEBHOOK_SECRET), 'ping')).status, 200);
    // Signed, labelled as A1, but issue #7 is not A1's ticket (that one is in the local tracker): anyone can label an issue.
    for (let i = 0; i < 50 && !(await action()).ticket; i++) await new Promise((r) => setTimeout(r, 100));
    const labelled = await deliver(sign(WEBHOOK_SECRET));
    assert.equal(labelled.status, 202);
    assert.match(
      ((await labelled.json()) as { ignored: string }).ignored,
      new RegExp(`github #7 is labelled ${created.id}/A1 but is not its ticket \\(local `),
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await action()).status, 'open', 'a label on another issue closes nothing');
  });

  it("refuses a Jira delivery without a valid signature, and one whose issue only carries an action's label", async () => {
    const { body: created } = await call('POST', '/api/incidents', declaration);
    await call('POST', `/api/incidents/${created.id}/actions`, {
      actor: 'alice',
      kind: 'detect',
      title: 'Leak detector',
      owner: 'dave',
    });
    const delivery = (status: 'new' | 'done') =>
      JSON.stringify({
        webhookEvent: 'jira:issue_updated',
        issue: {
          key: 'AI-7',
          fields: {
            labels: [`incident-action:${created.id}/A1`],
            status: { statusCategory: { key: status } },
            resolutiondate: status === 'done' ? new Date().toISOString() : null,
          },
        },
        user: { displayName: 'Dave Jones' },
      });
    const send = (payload: string, secret: string) =>
      fetch(`${base}/webhooks/tickets/jira`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature': `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`,
        },
        body: payload,
      });
    assert.equal((await send(delivery('done'), 'not-the-secret')).status, 401);
    const notDone = await send(delivery('new'), JIRA_SECRET);
    assert.equal(notDone.status, 202);
    assert.match(((await notDone.json()) as { ignored: string }).ignored, /not done/);
    const action = async () => (await call('GET', `/api/incidents/${created.id}/actions`)).body.actions[0];
    assert.equal((await action()).status, 'open');
    for (let i = 0; i < 50 && !(await action()).ticket; i++) await new Promise((r) => setTimeout(r, 100));
    const labelled = await send(delivery('done'), JIRA_SECRET);
    assert.equal(labelled.status, 202);
    assert.match(
      ((await labelled.json()) as { ignored: string }).ignored,
      /jira AI-7 is labelled .* but is not its ticket/,
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await action()).status, 'open', 'a label on another issue closes nothing');
  });

  it('changes severity and commander through their routes', async () => {
    const { body: created } = await call('POST', '/api/incidents', declaration);
    const sev = await call('POST', `/api/incidents/${created.id}/severity`, { actor: 'alice', severity: 'P1' });
    assert.equal(sev.body.severity, 'P1');
    const ic = await call('POST', `/api/incidents/${created.id}/commander`, { actor: 'alice', commander: 'bob' });
    assert.equal(ic.body.commander, 'bob');
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    assert.equal((await call('GET', '/api/nothing')).status, 404);
    const wrongMethod = await call('GET', '/api/incidents/INC-00000/resolve');
    assert.equal(wrongMethod.status, 405);
    assert.match(wrongMethod.body.error, /allowed: POST/);
  });

  // Last: the health check holds the worker this file started with.
  it('answers a declaration that no worker has started with 202 within the wait, and the incident starts once one polls', async () => {
    let accepted: { status: number; body: any } | undefined;
    let waitedMs = 0;
    await harness.workerAway(async () => {
      const t0 = Date.now();
      accepted = await call('POST', '/api/incidents', { ...declaration, title: 'Declared while no worker ran' });
      waitedMs = Date.now() - t0;
    });
    assert.equal(accepted!.status, 202, JSON.stringify(accepted!.body));
    assert.match(accepted!.body.id, /^INC-/);
    assert.ok(waitedMs < TRIAGE_WAIT_MS + 2_000, `answered after ${waitedMs} ms`);
    const state = await eventually(
      () => service.get(accepted!.body.id),
      (s) => s.status !== 'declared',
      'the returning worker loads its runbook',
      20_000,
    );
    assert.notEqual(state.status, 'declared', 'the returning worker loaded its runbook');
    assert.equal(state.title, 'Declared while no worker ran');
  });
});
