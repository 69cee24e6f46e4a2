// The obligation routes over HTTP (issue 21): refusals name who may and the field at fault, a refused
// classifier is on the timeline, and the report draft comes as JSON or Markdown.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createHealthCheck } from '../app/health.js';
import { incidentRoutes } from '../app/http/incident-routes.js';
import { obligationRoutes } from '../app/http/obligation-routes.js';
import { startHttpServer, stopHttpServer } from '../app/http/server.js';
import { Authenticator } from '../app/identity/authenticator.js';
import { createLogger } from '../integrations/log.js';
import type { IncidentState } from '../workflows/types.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/ports.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const TOKEN = 'test-token-obligations-0123456789';
let harness: TemporalHarness;
let server: Server;
let base: string;

before(async () => {
  harness = await startTemporalHarness();
  const service = harness.service();
  const port = await freePort();
  server = await startHttpServer('127.0.0.1', port, {
    routes: [...incidentRoutes(service), ...obligationRoutes(service)],
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

async function request(method: string, path: string, body?: unknown, accept = 'application/json') {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${TOKEN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', text, body: safeJson(text) };
}
const safeJson = (text: string): any => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

describe('obligations over HTTP', () => {
  it('classify: 403 naming who may (recorded), 400 naming awareAt or listing the known classifications; then the clock and its draft', async () => {
    const declared = await request('POST', '/api/incidents', {
      title: 'Support bot quotes another customer’s address',
      category: 'data-leak',
      severity: 'P2',
      declaredBy: 'alice',
    });
    assert.equal(declared.status, 201, declared.text);
    const id = declared.body.id as string;
    const path = `/api/incidents/${id}/classifications`;

    const refused = await request('POST', path, {
      actor: 'mallory',
      classification: 'personal-data-breach',
      reason: 'saw it on social media',
    });
    assert.equal(refused.status, 403);
    assert.match(refused.body.error, /^mallory may not classify INC-\w+: only the incident commander may$/);
    await eventually(
      () => request('GET', `/api/incidents/${id}`).then((r) => r.body as IncidentState),
      (s) => s.timeline.some((e) => e.type === 'request.refused' && e.actor === 'mallory'),
      'the refused classification is on the timeline',
    );

    const future = new Date(Date.now() + 86_400_000).toISOString();
    const early = await request('POST', path, {
      actor: 'alice',
      classification: 'personal-data-breach',
      awareAt: future,
      reason: 'x',
    });
    assert.equal(early.status, 400);
    assert.deepEqual(early.body.details, [{ field: 'awareAt', message: 'must not be in the future' }]);

    const unknown = await request('POST', path, { actor: 'alice', classification: 'serious-incident', reason: 'x' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.details[0].field, 'classification');
    assert.match(unknown.body.error, /\(known: personal-data-breach\)/);

    const awareAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const classified = await request('POST', path, {
      actor: 'alice',
      classification: 'personal-data-breach',
      awareAt,
      reason: 'another customer’s address in an answer',
    });
    assert.equal(classified.status, 200, classified.text);
    const clock = (classified.body as IncidentState).obligations![0]!;
    assert.equal(clock.dueAt, new Date(Date.parse(awareAt) + 72 * 3_600_000).toISOString());
    assert.equal(clock.status, 'open');

    const listed = await request('GET', `/api/incidents/${id}/obligations`);
    assert.deepEqual(
      listed.body.obligations.map((o: { id: string }) => o.id),
      ['gdpr-art-33'],
    );

    const badPhase = await request('POST', `/api/incidents/${id}/obligations/gdpr-art-33/submissions`, {
      actor: 'alice',
      phase: 'draft',
      reference: 'x',
    });
    assert.equal(badPhase.status, 400);
    assert.equal(badPhase.body.details[0].field, 'phase');

    const draft = await request('GET', `/api/incidents/${id}/obligations/gdpr-art-33/draft`);
    assert.equal(draft.status, 200);
    assert.equal(draft.body.regime, 'GDPR Art. 33');
    const markdown = await request(
      'GET',
      `/api/incidents/${id}/obligations/gdpr-art-33/draft`,
      undefined,
      'text/markdown',
    );
    assert.match(markdown.type, /^text\/markdown/);
    assert.match(markdown.text, /^# Report draft: GDPR Art\. 33 for INC-/);
    assert.match(markdown.text, /\*\*\(c\) Likely consequences of the personal data breach\*\*: _not yet known_/);
    const none = await request('GET', `/api/incidents/${id}/obligations/ai-act-death/draft`);
    assert.equal(none.status, 404);
    assert.equal(none.body.details[0].field, 'obligationId');

    const submitted = await request('POST', `/api/incidents/${id}/obligations/gdpr-art-33/submissions`, {
      actor: 'rita',
      phase: 'initial',
      reference: 'DPA-2026-0142',
    });
    assert.equal(submitted.status, 200, submitted.text);
    assert.deepEqual([submitted.body.status, submitted.body.onTime], ['met', true]);
  });
});
