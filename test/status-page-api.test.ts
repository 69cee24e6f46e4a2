import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { incidentRoutes } from '../app/http/incident-routes.js';
import { startHttpServer, stopHttpServer } from '../app/http/server.js';
import { statusRoutes } from '../app/http/status-routes.js';
import { Authenticator } from '../app/identity/authenticator.js';
import { IncidentService } from '../app/incident-service.js';
import { StatusBoard } from '../app/status/status-board.js';
import type { StatusDocument } from '../app/status/public-view.js';
import { createLogger } from '../integrations/log.js';
import type { IncidentState } from '../workflows/types.js';
import { freePort } from './support/ports.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';
import { childTexts, parseXmlStrictly } from './support/xml.js';

const TOKEN = 'test-token-0123456789abcdef';
const INTERNAL_TITLE = 'Jailbreak via base64 prompts leaks the system prompt';
let harness: TemporalHarness;
let service: IncidentService;
let server: Server;
let base: string;

before(async () => {
  harness = await startTemporalHarness();
  service = harness.service();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startHttpServer('127.0.0.1', port, {
    routes: [
      ...incidentRoutes(service),
      ...statusRoutes(new StatusBoard(service, { ttlMs: 200 }), { publicUrl: base }),
    ],
    health: async () => ({ healthy: true, report: {} }),
    auth: new Authenticator({ apiToken: TOKEN, tokensAreASource: false }),
    log: createLogger('error'),
  });
});
after(async () => {
  if (server) await stopHttpServer(server);
  await harness?.stop();
});

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** No credentials: what anyone on the internet would get. */
const anonymous = (path: string) => fetch(`${base}${path}`);

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !ok(value); i++) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  assert.ok(ok(value), `${what}: ${JSON.stringify(value)}`);
  return value;
}

const statusJson = async () => (await (await anonymous('/status.json')).json()) as StatusDocument;

describe('publishing an incident on the status page', () => {
  let id: string;
  let internal: IncidentState;

  it('only who the policy allows publishes (403 naming who may, recorded); a bad title is a 400 naming title', async () => {
    const declared = await api('POST', '/api/incidents', {
      title: INTERNAL_TITLE,
      category: 'prompt-injection',
      severity: 'P1',
      description: 'Red team found it; customer acme-corp affected',
      declaredBy: 'alice',
    });
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    id = declared.body.id;
    assert.deepEqual((await statusJson()).incidents, [], 'not public before it is published');

    const refused = await api('POST', `/api/incidents/${id}/publish`, { actor: 'mallory', title: 'Degraded answers' });
    assert.equal(refused.status, 403);
    assert.match(refused.body.error, /mallory may not publish .* only the incident commander may/);
    await eventually(
      () => service.get(id),
      (s) =>
        s.timeline.some(
          (e) => e.type === 'request.refused' && e.actor === 'mallory' && e.data?.decision === 'publish-incident',
        ),
      'the refusal is on the timeline',
    );

    for (const title of ['', '  ', 'two\nlines', 'x'.repeat(201), undefined]) {
      const bad = await api('POST', `/api/incidents/${id}/publish`, { actor: 'alice', title });
      assert.equal(bad.status, 400, `title ${JSON.stringify(title)}`);
      assert.deepEqual(
        bad.body.details.map((d: { field: string }) => d.field),
        ['title'],
      );
    }
    assert.equal((await service.get(id)).publicListing, undefined);
  });

  it('the IC publishes: on the timeline, flagged in visibility, and on /status, its feed and JSON with nothing internal', async () => {
    const published = await api('POST', `/api/incidents/${id}/publish`, {
      actor: 'alice',
      title: 'Degraded answers in the assistant',
    });
    assert.equal(published.status, 200, JSON.stringify(published.body));
    assert.equal(published.body.publicListing.title, 'Degraded answers in the assistant');
    assert.equal(published.body.publicListing.by, 'alice');
    internal = await service.get(id);
    const entry = internal.timeline.find((e) => e.type === 'incident.published')!;
    assert.equal(entry.actor, 'alice');
    assert.match(entry.message, /Published on the status page as "Degraded answers in the assistant"/);

    const listed = await eventually(
      () => api('GET', '/api/incidents'),
      (r) =>
        r.body.incidents.some((i: { id: string; flags: string[] }) => i.id === id && i.flags.includes('published')),
      'the published flag in visibility',
    );
    assert.equal(listed.status, 200);

    // An unpublished incident alongside never shows.
    const other = await service.declare({ title: 'Quiet one', category: 'other', severity: 'P3', declaredBy: 'bob' });

    const doc = await eventually(statusJson, (d) => d.incidents.length === 1, 'the published incident on /status.json');
    assert.deepEqual(doc.incidents[0], {
      id,
      title: 'Degraded answers in the assistant',
      state: 'investigating',
      startedAt: internal.publicListing!.since,
      updatedAt: internal.publicListing!.since,
      updates: [],
    });
    const page = await anonymous('/status');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    assert.match(page.headers.get('content-security-policy')!, /default-src 'none'/);
    const html = await page.text();
    assert.ok(html.includes('Degraded answers in the assistant'));
    const feed = await anonymous('/status/feed.atom');
    assert.match(feed.headers.get('content-type')!, /^application\/atom\+xml/);
    const xml = await feed.text();
    const atom = parseXmlStrictly(xml);
    assert.equal(atom.getElementsByTagName('entry').length, 0, 'no public update yet, so no entry');
    assert.deepEqual(childTexts(atom, 'feed', 'id'), [`${base}/status`]);

    const secrets = [
      INTERNAL_TITLE,
      'acme-corp',
      'alice',
      'bob',
      'Quiet one',
      other.id,
      internal.runbook!.id,
      ...internal.steps.map((s) => s.id),
    ];
    for (const [where, text] of [
      ['page', html],
      ['feed', xml],
      ['JSON', JSON.stringify(doc)],
    ] as const)
      for (const secret of secrets) assert.ok(!text.includes(secret), `the ${where} shows "${secret}"`);
  });

  it('publishing again changes the public title (recorded); the same title again is a 409', async () => {
    const again = await api('POST', `/api/incidents/${id}/publish`, {
      actor: 'alice',
      title: 'Some answers are wrong',
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.publicListing.since, internal.publicListing!.since, 'still public since the first time');
    const changes = (await service.get(id)).timeline.filter((e) => e.type === 'incident.published');
    assert.equal(changes.length, 2);
    assert.deepEqual(changes[1]!.data, {
      title: 'Some answers are wrong',
      previousTitle: 'Degraded answers in the assistant',
    });
    assert.equal(
      (await api('POST', `/api/incidents/${id}/publish`, { actor: 'alice', title: 'Some answers are wrong' })).status,
      409,
    );
    await eventually(statusJson, (d) => d.incidents[0]?.title === 'Some answers are wrong', 'the new title');
  });

  it('resolved: shown as resolved, with its time', async () => {
    await service.resolve(id, 'alice', 'Rolled the model back');
    const resolvedAt = (await service.get(id)).resolvedAt!;
    const doc = await eventually(statusJson, (d) => d.incidents[0]?.state === 'resolved', 'resolved on the page');
    assert.equal(doc.incidents[0]!.resolvedAt, resolvedAt);
    assert.equal(doc.updatedAt, resolvedAt);
    assert.ok(!JSON.stringify(doc).includes('Rolled the model back'), 'the internal summary stays internal');
  });

  it('the board reads visibility and the incidents at most once per period, however often it is asked', async () => {
    let clock = Date.now();
    const board = new StatusBoard(service, { ttlMs: 10_000, now: () => clock });
    const first = await board.current();
    await api('POST', `/api/incidents/${id}/publish`, { actor: 'alice', title: 'Answers are back to normal' });
    clock += 9_000;
    assert.equal(await board.current(), first, 'the same answer within 10 s');
    assert.equal(first.incidents[0]!.title, 'Some answers are wrong');
    clock += 1_000;
    assert.equal((await board.current()).incidents[0]!.title, 'Answers are back to normal', 'read again after 10 s');
  });
});
