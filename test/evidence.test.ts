// Evidence before containment (issue 21, item 4), on a real dev server with LaunchDarkly's REST API (the
// contract fake) and the data-leak runbook, whose retrieval flag step says `preserveEvidence: required`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createHealthCheck } from '../app/health.js';
import { evidenceRoutes } from '../app/http/evidence-routes.js';
import { incidentRoutes } from '../app/http/incident-routes.js';
import { startHttpServer, stopHttpServer } from '../app/http/server.js';
import { Authenticator } from '../app/identity/authenticator.js';
import { IncidentService } from '../app/incident-service.js';
import { LaunchDarklyFlagProvider } from '../integrations/flags/launchdarkly.js';
import { MAX_BODY_BYTES } from '../integrations/http/request.js';
import { createLogger } from '../integrations/log.js';
import { approvalMessage } from '../integrations/slack/blocks.js';
import { approvalView } from '../workflows/incident/chat-views.js';
import type { EvidenceRecord, IncidentState } from '../workflows/types.js';
import { eventually } from './support/eventually.js';
import { startLaunchDarklyFake, type FakeFlag, type LaunchDarklyFake } from './support/launchdarkly-fake.js';
import { repoRoot } from './support/paths.js';
import { freePort } from './support/ports.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const API_TOKEN = 'test-token-evidence-0123456789';
const LD_TOKEN = 'api-evidence-0123456789-secret';
/** What `${env:RUNBOOK_SECRET_TRACES_TOKEN}` resolves to: it must reach the trace store and nothing else. */
const TRACES_TOKEN = 'trc9Qv2XmL7pR4sT8wZ1yB6nK3jH5gF0dCaE';
const STEP = 'disable-ticket-source';
const cliJs = join(repoRoot, 'dist/app/cli/incident.js');

let ld: LaunchDarklyFake;
let harness: TemporalHarness;
let service: IncidentService;
let server: Server;
let base: string;
let traces: HttpServer;
const tracesSeen: (string | undefined)[] = [];

const boolFlag = (key: string, on = true): FakeFlag => ({
  key,
  variations: [
    { _id: `${key}-t`, value: true },
    { _id: `${key}-f`, value: false },
  ],
  environments: { production: { on, offVariation: 1, fallthrough: { variation: 0 }, _version: 7 } },
});

before(async () => {
  ld = await startLaunchDarklyFake({
    project: 'assistant',
    token: LD_TOKEN,
    flags: [
      boolFlag('retrieval-source.customer-tickets.enabled'),
      boolFlag('prompt-logging-enabled'),
      {
        key: 'output-safety-filter-level',
        variations: [
          { _id: 'std', value: 'standard' },
          { _id: 'strict', value: 'strict' },
        ],
        environments: { production: { on: true, offVariation: 0, fallthrough: { variation: 0 }, _version: 3 } },
      },
    ],
  });
  // A trace store that, like many debug endpoints, echoes the credentials it was sent; and a log endpoint
  // that answers more than the 1 MiB evidence keeps.
  traces = createServer((req, res) => {
    tracesSeen.push(req.headers.authorization);
    if (req.url?.startsWith('/logs')) return res.end('log line\n'.repeat(Math.ceil((MAX_BODY_BYTES * 1.5) / 9)));
    res.end(`trace t-1 retrieval returned ticket #4411 to tenant acme\nauthorization: ${req.headers.authorization}\n`);
  });
  await new Promise<void>((resolve) => traces.listen(0, '127.0.0.1', resolve));
  const tracesUrl = `http://127.0.0.1:${(traces.address() as AddressInfo).port}`;
  process.env.RUNBOOK_SECRET_TRACES_TOKEN = TRACES_TOKEN;

  harness = await startTemporalHarness({
    flags: new LaunchDarklyFlagProvider({
      apiToken: LD_TOKEN,
      projectKey: 'assistant',
      environmentKey: 'production',
      apiUrl: ld.url,
    }),
  });
  // The shipped runbook's sources, pointed at the local stores.
  const file = join(harness.dataDir, 'runbooks', 'sensitive-data-exposure.yaml');
  const shipped = await readFile(file, 'utf8');
  const local = shipped
    .replace('https://traces.example.com/api/search?', `${tracesUrl}/traces?`)
    .replace('allowedHosts: [traces.example.com]', 'allowedHosts: ["127.0.0.1"]')
    .replace(
      /^http:/m,
      `  - id: app-logs\n    title: The application log\n    request:\n      url: ${tracesUrl}/logs\n      headers: {}\nhttp:`,
    );
  assert.notEqual(local, shipped);
  await writeFile(file, local);
  await harness.runbooks.requireValid();

  service = harness.service();
  const port = await freePort();
  server = await startHttpServer('127.0.0.1', port, {
    routes: [...incidentRoutes(service), ...evidenceRoutes(service)],
    health: createHealthCheck({ ...harness.temporal, worker: harness.worker, taskQueue: harness.taskQueue }),
    auth: new Authenticator({ apiToken: API_TOKEN, tokensAreASource: false }),
    log: createLogger('error'),
  });
  base = `http://127.0.0.1:${port}`;
});
after(async () => {
  if (server) await stopHttpServer(server);
  await harness?.stop();
  await ld?.stop();
  traces?.close();
  delete process.env.RUNBOOK_SECRET_TRACES_TOKEN;
});

async function request(method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : undefined };
}

const state = async (id: string) => (await request('GET', `/api/incidents/${id}`)).body as IncidentState;
const evidenceOf = (s: IncidentState, moment: EvidenceRecord['moment']) =>
  s.evidence?.find((r) => r.stepId === STEP && r.moment === moment);
const stepOf = (s: IncidentState) => s.steps.find((step) => step.id === STEP)!;
const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');
const storedFile = (record: EvidenceRecord) => readFile(join(harness.dataDir, record.location!.replace(/^local:/, '')));

function cli(args: string[]) {
  const { INCIDENT_TOKEN: _theirs, ...env } = process.env;
  return promisify(execFile)(process.execPath, [cliJs, ...args], {
    env: { ...env, INCIDENT_API_URL: base, API_TOKEN },
  });
}

async function declare(title: string): Promise<string> {
  const declared = await request('POST', '/api/incidents', {
    title,
    category: 'data-leak',
    severity: 'P2',
    declaredBy: 'alice',
  });
  assert.equal(declared.status, 201, declared.text);
  return declared.body.id as string;
}

describe('evidence before containment', () => {
  it('captures the flag as it was before the change, shows its hash in the approval request, keeps both snapshots', async () => {
    const id = await declare('Support bot quotes another customer’s ticket');
    const requested = evidenceOf(
      await eventually(
        () => state(id),
        (s) => evidenceOf(s, 'requested') !== undefined,
        'evidence at the request',
      ),
      'requested',
    )!;
    assert.equal(requested.status, 'captured', requested.reason);
    assert.equal(requested.required, true);

    // The stored file is content-addressed: its name and the recorded hash are the sha256 of its bytes.
    const file = await storedFile(requested);
    assert.equal(sha256(file), requested.sha256);
    assert.ok(requested.location!.endsWith(`${requested.sha256}.json`));
    const snapshot = JSON.parse(file.toString('utf8'));
    const flagItem = snapshot.items.find((i: { kind: string }) => i.kind === 'provider-state');
    assert.equal(flagItem.name, 'flag retrieval-source.customer-tickets.enabled');
    assert.equal(sha256(flagItem.content), flagItem.sha256);
    const config = JSON.parse(flagItem.content);
    assert.equal(config.environments.production.on, true, 'the configuration before the change');
    assert.equal(config.environments.production._version, 7);
    assert.ok(snapshot.items.some((i: { kind: string }) => i.kind === 'triage-notes'));

    // The approval request: in the state, the Slack message and `incident show`.
    const s = await state(id);
    const short = `sha256 ${requested.sha256!.slice(0, 12)}…`;
    const slack = JSON.stringify(approvalMessage(approvalView(s, stepOf(s), 'the incident commander')).blocks);
    assert.ok(slack.includes(`evidence captured (${short})`), slack);
    const { stdout: shown } = await cli(['show', id]);
    assert.ok(shown.includes(`evidence captured (${short})`), shown);
    assert.ok(shown.includes(requested.location!), shown);

    // Approved: captured again right before the change; the flag is then off.
    const approved = await request('POST', `/api/incidents/${id}/approvals`, {
      stepId: STEP,
      decision: 'approve',
      actor: 'alice',
    });
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.body.status, 'verified', approved.body.result);
    const after = await state(id);
    const beforeChange = evidenceOf(after, 'before-change')!;
    assert.equal(beforeChange.status, 'captured');
    const preChange = JSON.parse(
      JSON.parse((await storedFile(beforeChange)).toString('utf8')).items.find(
        (i: { kind: string }) => i.kind === 'provider-state',
      ).content,
    );
    assert.equal(preChange.environments.production.on, true, 'read before the flag was turned off');
    assert.equal(ld.flags.get('retrieval-source.customer-tickets.enabled')!.environments.production!.on, false);
    const captured = after.timeline.filter((e) => e.type === 'evidence.captured' && e.data?.stepId === STEP);
    assert.deepEqual(
      captured.map((e) => e.data?.sha256),
      [requested.sha256, beforeChange.sha256],
    );
    const executedAt = after.timeline.findIndex((e) => e.type === 'containment.executed' && e.data?.stepId === STEP);
    assert.ok(after.timeline.indexOf(captured[1]!) < executedAt, 'captured before the change');
  });

  it('redacts a source’s echoed ${env:} secret everywhere, and truncates an oversized source and says so', async () => {
    const id = await declare('Retrieval leaks ticket text');
    const s = await eventually(
      () => state(id),
      (x) => evidenceOf(x, 'requested') !== undefined,
      'evidence',
    );
    const record = evidenceOf(s, 'requested')!;
    assert.ok(tracesSeen.includes(`Bearer ${TRACES_TOKEN}`), 'the worker filled the secret in for the source');

    const snapshot = JSON.parse((await storedFile(record)).toString('utf8'));
    const trace = snapshot.items.find((i: { name: string }) => i.name === 'retrieval-traces');
    assert.match(trace.content, /retrieval returned ticket #4411/, 'what the source returned is kept');
    assert.match(trace.content, /\[redacted [a-z -]+\]/);
    const logs = snapshot.items.find((i: { name: string }) => i.name === 'app-logs');
    assert.equal(logs.truncated, true);
    assert.ok(logs.bytes <= MAX_BODY_BYTES, `${logs.bytes} bytes`);
    const logsInState = record.items.find((i) => i.name === 'app-logs')!;
    assert.equal(logsInState.truncated, true);
    assert.match(
      JSON.stringify(approvalMessage(approvalView(s, stepOf(s), 'the IC')).blocks),
      /source app-logs truncated at 1 MiB/,
    );

    // Payload data (base64 in the fetched history) decoded, so a secret would show in the search.
    const history = JSON.stringify(
      (await harness.client.workflow.getHandle(id).fetchHistory()).events,
      (key, value: unknown) =>
        key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value,
    );
    const evidenceFiles = await readdir(join(harness.dataDir, 'evidence'), { recursive: true, withFileTypes: true });
    const stored = await Promise.all(
      evidenceFiles.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name), 'utf8')),
    );
    const notifications = await readFile(join(harness.dataDir, 'notifications.jsonl'), 'utf8').catch(() => '');
    for (const [where, text] of [
      ['history', history],
      ['state and timeline', JSON.stringify(await state(id))],
      ['stored evidence', stored.join('\n')],
      ['notifications', notifications],
    ] as const)
      assert.ok(!text.includes(TRACES_TOKEN), `the secret is in the ${where}`);
    assert.ok(history.includes('${env:RUNBOOK_SECRET_TRACES_TOKEN}'), 'history keeps the placeholder');
  });

  it('a failed read holds an approved required step until the IC overrides; a non-IC override is refused and recorded', async () => {
    ld.flags.get('retrieval-source.customer-tickets.enabled')!.environments.production!.on = true;
    ld.failFlagReads(500);
    try {
      const id = await declare('Customer tickets in answers, LaunchDarkly down');
      const requested = evidenceOf(
        await eventually(
          () => state(id),
          (x) => evidenceOf(x, 'requested') !== undefined,
          'evidence',
        ),
        'requested',
      )!;
      assert.equal(requested.status, 'failed');
      assert.match(requested.reason!, /flag retrieval-source\.customer-tickets\.enabled could not be read: .*500/);
      assert.ok(!requested.reason!.includes(LD_TOKEN));
      const s = await state(id);
      assert.match(
        approvalView(s, stepOf(s), 'the IC').evidence!,
        /^evidence not captured: .*; the step runs only once captured or the IC overrides$/,
      );

      const early = await request('POST', `/api/incidents/${id}/steps/${STEP}/evidence-override`, {
        actor: 'alice',
        reason: 'no time',
      });
      assert.equal(early.status, 409, 'nothing is held before the approval');

      const approvedAt = Date.now();
      const approved = await request('POST', `/api/incidents/${id}/approvals`, {
        stepId: STEP,
        decision: 'approve',
        actor: 'alice',
      });
      assert.equal(approved.status, 200, approved.text);
      assert.equal(approved.body.status, 'approved');
      assert.match(approved.body.result, /^Waiting for evidence: .*incident override-evidence/);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.ok(
        !ld.requests.some((r) => r.at >= approvedAt && r.method === 'PATCH' && r.path.includes('customer-tickets')),
        'not run',
      );
      assert.equal(stepOf(await state(id)).status, 'approved');

      const path = `/api/incidents/${id}/steps/${STEP}/evidence-override`;
      const refused = await request('POST', path, { actor: 'mallory', reason: 'let me' });
      assert.equal(refused.status, 403);
      assert.match(
        refused.body.error,
        /^mallory may not override the evidence of step "disable-ticket-source": only the incident commander may$/,
      );
      const noReason = await request('POST', path, { actor: 'alice' });
      assert.equal(noReason.status, 400);
      assert.match(noReason.text, /reason/);
      await eventually(
        () => state(id),
        (x) => x.timeline.some((e) => e.type === 'request.refused' && e.actor === 'mallory'),
        'the refused override is on the timeline',
      );

      ld.failFlagReads(undefined); // LaunchDarkly is back: the change itself can go through
      const { stdout } = await cli([
        'override-evidence',
        id,
        STEP,
        '--reason',
        'leak ongoing; LD outage',
        '--as',
        'alice',
      ]);
      assert.match(stdout, /\[verified\]/);
      const done = await state(id);
      assert.equal(stepOf(done).status, 'verified');
      assert.equal(ld.flags.get('retrieval-source.customer-tickets.enabled')!.environments.production!.on, false);
      const held = evidenceOf(done, 'before-change')!;
      assert.equal(held.status, 'overridden');
      assert.equal(held.override?.by, 'alice');
      assert.equal(held.override?.reason, 'leak ongoing; LD outage');
      const overridden = done.timeline.find((e) => e.type === 'evidence.overridden')!;
      assert.equal(overridden.actor, 'alice');
      assert.match(overridden.message, /leak ongoing; LD outage/);
    } finally {
      ld.failFlagReads(undefined);
    }
  });
});
