// The audit export (issue 21 item 5) against a real incident on the dev server, through the HTTP API
// and the CLI: decisions made with personal API tokens and an authenticating proxy's header, a
// classification and a submission; then `incident verify-export` offline, and the file tampered with.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditBundle } from '../app/export/audit-bundle.js';
import { createHealthCheck } from '../app/health.js';
import { exportRoutes } from '../app/http/export-routes.js';
import { incidentRoutes } from '../app/http/incident-routes.js';
import { obligationRoutes } from '../app/http/obligation-routes.js';
import { startHttpServer, stopHttpServer } from '../app/http/server.js';
import { Authenticator } from '../app/identity/authenticator.js';
import { PersonalTokens } from '../app/identity/personal-tokens.js';
import { createLogger } from '../integrations/log.js';
import type { IncidentState } from '../workflows/types.js';
import { eventually } from './support/eventually.js';
import { tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import { runCli } from './support/product.js';
import { fake } from './support/secret-samples.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const PROXY = { header: 'x-forwarded-user', secretHeader: 'x-proxy-secret', secret: 'proxy-secret-0123456789abcdef' };
const SECRET = fake('sk-', 'proj-', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zQ7');
let harness: TemporalHarness;
let server: Server;
let base: string;
let store: PersonalTokens;
const tokens: Record<string, string> = {};

before(async () => {
  harness = await startTemporalHarness();
  const service = harness.service();
  store = new PersonalTokens(await tempDir('export-tokens'));
  for (const user of ['alice', 'mallory'])
    tokens[user] = (await store.create({ user, expiresInMs: 3_600_000, createdBy: 'test' })).token;
  const port = await freePort();
  server = await startHttpServer('127.0.0.1', port, {
    routes: [...incidentRoutes(service), ...obligationRoutes(service), ...exportRoutes(service)],
    health: createHealthCheck({ ...harness.temporal, worker: harness.worker, taskQueue: harness.taskQueue }),
    auth: new Authenticator({ tokens: store, tokensAreASource: true, proxy: { ...PROXY, trustedPeers: [] } }),
    log: createLogger('error'),
  });
  base = `http://127.0.0.1:${port}`;
});
after(async () => {
  if (server) await stopHttpServer(server);
  await harness?.stop();
});

/** As a person: `alice` by her personal API token, `proxy:rita` by the authenticating proxy's header. */
async function as(who: string, method: string, path: string, body?: unknown, accept = 'application/json') {
  const identity: Record<string, string> = who.startsWith('proxy:')
    ? { [PROXY.header]: who.slice(6), [PROXY.secretHeader]: PROXY.secret }
    : { authorization: `Bearer ${tokens[who]}` };
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept, ...identity },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.status < 500, text);
  return { status: response.status, text, body: text.startsWith('{') ? JSON.parse(text) : undefined };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the audit export', () => {
  let id: string;
  let dir: string;
  let jsonFile: string;
  let bundle: AuditBundle;
  const cli = (...args: string[]) => runCli(args, { INCIDENT_API_URL: base, INCIDENT_TOKEN: tokens.alice! });

  it('exports a real incident: every decision with its actor and identity source, the runbook and its sha256', async () => {
    const declared = await as('alice', 'POST', '/api/incidents', {
      title: 'Support bot quotes another customer’s address',
      category: 'data-leak',
      severity: 'P2',
      description: `Found while debugging with ${SECRET}`,
    });
    assert.equal(declared.status, 201, declared.text);
    id = declared.body.id;
    const approved = await as('proxy:rita', 'POST', `/api/incidents/${id}/approvals`, {
      stepId: 'disable-ticket-source',
      decision: 'approve',
    });
    assert.equal(approved.status, 200, approved.text);
    const rejected = await as('alice', 'POST', `/api/incidents/${id}/approvals`, {
      stepId: 'stop-prompt-logging',
      decision: 'reject',
      reason: 'logs are needed for the investigation',
    });
    assert.equal(rejected.status, 200, rejected.text);
    const classified = await as('alice', 'POST', `/api/incidents/${id}/classifications`, {
      classification: 'personal-data-breach',
      reason: 'another customer’s address in an answer',
    });
    assert.equal(classified.status, 200, classified.text);
    const submitted = await as('proxy:rita', 'POST', `/api/incidents/${id}/obligations/gdpr-art-33/submissions`, {
      phase: 'initial',
      reference: 'DPA-2026-0142',
    });
    assert.equal(submitted.status, 200, submitted.text);

    dir = await tempDir('export-out');
    const exported = await cli('export', id, '--out', dir);
    assert.equal(exported.code, 0, exported.stderr);
    jsonFile = join(dir, `${id}.export.json`);
    assert.match(exported.stdout, new RegExp(`Wrote ${jsonFile} \\(for the auditor\\)`));
    const text = await readFile(jsonFile, 'utf8');
    bundle = JSON.parse(text) as AuditBundle;

    assert.equal(bundle.format, 'incident-audit-export/1');
    assert.equal(bundle.audience, 'auditor');
    assert.match(bundle.chain.canonicalForm, /RFC 8785/);
    assert.deepEqual(bundle.exportedBy, { actor: 'alice', via: 'api-token' });
    const decisions = bundle.decisions.map((d) => [d.decision, d.actor, d.via]);
    for (const expected of [
      ['declaration', 'alice', 'api-token'],
      ['approval', 'rita', 'proxy'],
      ['rejection', 'alice', 'api-token'],
      ['classification', 'alice', 'api-token'],
      ['submission', 'rita', 'proxy'],
    ])
      assert.ok(
        decisions.some((d) => JSON.stringify(d) === JSON.stringify(expected)),
        `${expected.join(' ')} in ${JSON.stringify(decisions)}`,
      );
    const approval = bundle.decisions.find((d) => d.decision === 'approval')!;
    assert.equal(bundle.timeline[approval.index]!.entry.type, 'containment.approved');
    assert.match(approval.identity, /proxy/);

    const onDisk = await readFile(join(harness.runbooks.dir, 'sensitive-data-exposure.yaml'), 'utf8');
    assert.equal(bundle.runbook.id, 'sensitive-data-exposure');
    assert.equal(bundle.runbook.sha256, sha256(bundle.runbook.source!), 'the snapshot hashes to the recorded sha256');
    assert.equal(bundle.runbook.sha256, sha256(onDisk), 'and is the file the incident ran with');
    assert.equal((bundle.runbook.definition as { id: string }).id, 'sensitive-data-exposure');

    assert.equal(bundle.obligations[0]!.submissions[0]!.by, 'rita');
    assert.equal(bundle.obligations[0]!.submissions[0]!.via, 'proxy');
    assert.equal(bundle.classifications[0]!.via, 'api-token');
    const beforeChange = bundle.evidence.find(
      (e) => e.stepId === 'disable-ticket-source' && e.moment === 'before-change',
    );
    assert.equal(beforeChange?.status, 'captured', 'the approved step took its snapshot before the change');
    assert.match(beforeChange.sha256!, /^[0-9a-f]{64}$/);
    assert.equal(bundle.timeline.length, bundle.chain.entries);

    const markdown = await readFile(join(dir, `${id}.export.md`), 'utf8');
    assert.match(markdown, /\*\*approval\*\* by rita, identified by proxy/);
    assert.match(markdown, /\*\*submission\*\* by rita, identified by proxy/);
    assert.match(markdown, new RegExp(`sha256 \`${bundle.runbook.sha256}\``));
    assert.match(markdown, new RegExp(`step disable-ticket-source: captured, sha256 \`${beforeChange.sha256}\``));
    for (const [name, file] of [
      ['JSON', text],
      ['Markdown', markdown],
    ])
      assert.ok(!file!.includes(SECRET), `the key in the description reaches no ${name}`);
    assert.match(bundle.incident.description, /\[redacted secret\]/);
  });

  it('verifies offline, and an auditor recomputes the same head without our code', async () => {
    const verified = await runCli(['verify-export', jsonFile], { INCIDENT_API_URL: 'http://127.0.0.1:9' });
    assert.equal(verified.code, 0, verified.stderr);
    assert.equal(
      verified.stdout.trim(),
      `OK ${id}: ${bundle.chain.entries} timeline entries, final hash ${bundle.chain.head}`,
    );
    const script = bundle.chain.example.replace(/^python3 -c '([\s\S]*)' EXPORT\.json$/, '$1');
    const python = await new Promise<string>((resolve, reject) =>
      execFile('python3', ['-c', script, jsonFile], (err, stdout, stderr) =>
        err ? reject(new Error(stderr)) : resolve(stdout),
      ),
    );
    assert.equal(python.trim(), `${bundle.chain.entries} ${bundle.chain.head}`);
  });

  it('fails naming the entry when one character changes, an entry goes or two swap; a non-export is exit 2', async () => {
    const approval = bundle.decisions.find((d) => d.decision === 'approval')!.index;
    const check = async (change: (b: AuditBundle) => void) => {
      const copy = structuredClone(bundle);
      change(copy);
      const file = join(dir, 'tampered.json');
      await writeFile(file, JSON.stringify(copy, null, 2));
      return runCli(['verify-export', file], {});
    };
    const entryAt = (i: number) =>
      `at entry ${i} \\(${bundle.timeline[i]!.entry.at}, ${bundle.timeline[i]!.entry.type}\\)`;

    const oneCharacter = await check((b) => {
      const entry = b.timeline[approval]!.entry;
      entry.message = `${entry.message.slice(0, -1)}${entry.message.endsWith('.') ? ',' : '.'}`;
    });
    assert.equal(oneCharacter.code, 1);
    assert.match(
      oneCharacter.stdout,
      new RegExp(`^FAILED ${id} ${entryAt(approval)}: timeline\\[${approval}\\] does not match`),
    );

    const deleted = await check((b) => {
      b.timeline.splice(approval, 1);
      b.timeline.forEach((link, i) => (link.index = i));
    });
    assert.equal(deleted.code, 1);
    assert.match(deleted.stdout, new RegExp(`at entry ${approval} `));

    const swapped = await check((b) => {
      const [first, second] = [b.timeline[1]!.entry, b.timeline[2]!.entry];
      [b.timeline[1]!.entry, b.timeline[2]!.entry] = [second, first];
    });
    assert.equal(swapped.code, 1);
    assert.match(swapped.stdout, /at entry 1 /);

    const actorChanged = await check((b) => (b.obligations[0]!.submissions[0]!.by = 'alice'));
    assert.equal(actorChanged.code, 1, 'the rest of the record is sealed to the chain');
    assert.match(actorChanged.stdout, /the seal does not match/);

    await writeFile(join(dir, 'other.json'), JSON.stringify({ hello: 'world' }));
    const notAnExport = await runCli(['verify-export', join(dir, 'other.json')], {});
    assert.equal(notAnExport.code, 2);
    assert.match(notAnExport.stderr, /is not an incident audit export: "format" must be "incident-audit-export\/1"/);
  });

  it('refuses an exporter who is neither the IC, an incident admin nor responsible for an obligation, and records it', async () => {
    const refused = await as('mallory', 'GET', `/api/incidents/${id}/export`);
    assert.equal(refused.status, 403);
    assert.equal(
      refused.body.error,
      `mallory may not export ${id}: only the incident commander, members of group incident-admins or members of group privacy-office may`,
    );
    await eventually(
      () => as('alice', 'GET', `/api/incidents/${id}`).then((r) => r.body as IncidentState),
      (s) =>
        s.timeline.some(
          (e) =>
            e.type === 'request.refused' &&
            e.actor === 'mallory' &&
            e.via === 'api-token' &&
            e.data?.decision === 'export',
        ),
      'the refused export is on the timeline',
    );
    const responsible = await as('proxy:rita', 'GET', `/api/incidents/${id}/export`, undefined, 'text/markdown');
    assert.equal(responsible.status, 200, 'the responsible group of its GDPR obligation may');
    assert.match(responsible.text, new RegExp(`^# Audit record: ${id} `));
    assert.match(responsible.text, /\*\*refused request\*\* by mallory, identified by api-token/);
  });
});
