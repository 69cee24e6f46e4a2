import { isDeepStrictEqual } from 'node:util';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { EMBEDDED_RETENTION_DAYS } from '../app/temporal/retention.js';
import { temporalCliPath } from '../app/temporal/temporal-binaries.js';
import { startDevServer } from '../app/temporal/temporal-dev-server.js';
import { repoRoot, tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import { createHmac } from 'node:crypto';
import { startGitHubFake } from './support/github-fake.js';
import { startLaunchDarklyFake } from './support/launchdarkly-fake.js';
import { startPagerDutyFake } from './support/pagerduty-fake.js';
import { makeTestCertificate } from './support/test-certificate.js';
import { expectedSamples, parsedSamples } from './support/prometheus.js';
import { runCli, spawnProduct, waitGroupGone, waitHealthy, type RunningProduct } from './support/product.js';
import { eventually } from './support/eventually.js';

const started: RunningProduct[] = [];
after(() => {
  for (const product of started) if (product.groupAlive()) process.kill(-product.child.pid!, 'SIGKILL');
});

async function workflowStatus(address: string, namespace: string, workflowId: string): Promise<string> {
  const connection = await Connection.connect({ address });
  try {
    return (await new Client({ connection, namespace }).workflow.getHandle(workflowId).describe()).status.name;
  } finally {
    await connection.close();
  }
}

/** Alive and not a zombie (an orphan's zombie lingers until whoever adopted it reaps it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

async function productEnv() {
  const dataDir = await tempDir('incident-e2e');
  return {
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
  };
}

function start(env: Record<string, string>) {
  const product = spawnProduct(env);
  started.push(product);
  return product;
}

describe('the product as a user runs it', () => {
  it('refuses to start off loopback with no identity source, naming what to set', async () => {
    const env = await productEnv();
    const product = start({ ...env, HOST: '0.0.0.0', API_TOKEN: 'a-shared-token-0123456789' });
    const { code } = await product.exited;
    assert.equal(code, 2);
    assert.match(
      product.output(),
      /HOST=0\.0\.0\.0: off loopback, who acts must be proven.*OIDC_ISSUER.*PERSONAL_TOKENS=on.*AUTH_USER_HEADER/s,
    );
    assert.match(product.output(), /Nothing was started/);
  });

  it('declare → refused approval → SIGKILL of the whole tree → restart → approve → resolve → SIGTERM', async () => {
    const env = await productEnv();
    const cliEnv = { INCIDENT_API_URL: `http://127.0.0.1:${env.PORT}`, INCIDENT_USER: 'alice' };
    let product = start(env);
    const healthyAfter = await waitHealthy(product, 30_000);
    assert.ok(healthyAfter < 30_000);
    assert.match(product.output(), new RegExp(`Temporal Web UI  http://127.0.0.1:${env.TEMPORAL_UI_PORT}`));
    assert.equal((await fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}/`)).status, 200, 'the Web UI answers');

    const declared = await runCli(
      ['declare', 'Assistant quotes internal notes', '--category', 'other', '--severity', 'p1', '--json'],
      cliEnv,
    );
    assert.equal(declared.code, 0, declared.stderr);
    const id = JSON.parse(declared.stdout).id as string;

    const refused = await runCli(['approve', id, 'kill-switch', '--as', 'mallory'], cliEnv);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /mallory may not approve step "kill-switch": only the incident commander may \(HTTP 403\)/,
    );

    process.kill(-product.child.pid!, 'SIGKILL');
    await waitGroupGone(product, 5_000);

    product = start(env);
    await waitHealthy(product, 30_000);
    const flagsFile = join(env.DATA_DIR, 'flags.json');
    assert.equal(JSON.parse(await readFile(flagsFile, 'utf8')).flagValues['ai-assistant-enabled'], true);

    const approved = await runCli(['approve', id, 'kill-switch', '--as', 'alice'], cliEnv);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /kill-switch +\[verified\]/);
    assert.equal(JSON.parse(await readFile(flagsFile, 'utf8')).flagValues['ai-assistant-enabled'], false);
    const changes = (await readFile(`${flagsFile}.changes.jsonl`, 'utf8')).trim().split('\n');
    assert.equal(changes.length, 1, 'the flag was changed exactly once');

    const resolved = await runCli(
      ['resolve', id, '--as', 'alice', '--summary', 'Assistant off; model rolled back'],
      cliEnv,
    );
    assert.equal(resolved.code, 0, resolved.stderr);

    const shown = await runCli(['show', id], cliEnv);
    assert.equal(shown.code, 0);
    const timeline = shown.stdout.slice(shown.stdout.indexOf('Timeline'));
    const order = [
      'Declared P1 other',
      'Runbook "Generic AI incident"',
      'Refused: mallory may not approve',
      'Approved',
      'true → off',
      'Verified',
      'Mitigated',
      'Resolved: Assistant off',
      'Offered: Undo',
    ];
    const positions = order.map((text) => timeline.indexOf(text));
    assert.ok(
      positions.every((p) => p >= 0),
      `timeline misses an entry:\n${timeline}`,
    );
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
      'timeline out of order',
    );

    const listed = await runCli(['list', '--all', '--json'], cliEnv);
    assert.equal(JSON.parse(listed.stdout).find((i: { id: string }) => i.id === id)?.status, 'postmortem');

    process.kill(product.child.pid!, 'SIGTERM');
    const stoppedIn = await waitGroupGone(product, 10_000);
    assert.ok(stoppedIn < 10_000);
    assert.equal((await product.exited).code, 0);
  });

  it('recovers when only the node process was killed and its dev server was left behind', async () => {
    const env = await productEnv();
    const first = start(env);
    await waitHealthy(first);
    const orphanPid = Number(await readFile(join(env.DATA_DIR, 'temporal.pid'), 'utf8'));
    const mainPid = first.mainPid();
    process.kill(mainPid, 'SIGKILL');
    await first.exited;
    assert.ok(!isRunning(mainPid));
    assert.ok(isRunning(orphanPid), 'the dev server outlived its parent');

    const second = start(env);
    await waitHealthy(second);
    assert.ok(!isRunning(orphanPid), 'the leftover dev server was stopped');
    process.kill(-second.child.pid!, 'SIGINT'); // Ctrl-C in a terminal reaches the whole group
    await waitGroupGone(second, 10_000);
  });

  it('reports 503 on /healthz when Temporal goes away', async () => {
    const env = await productEnv();
    const product = start(env);
    await waitHealthy(product);
    const temporalPid = Number(await readFile(join(env.DATA_DIR, 'temporal.pid'), 'utf8'));
    process.kill(temporalPid, 'SIGKILL');
    let status = 0;
    let report: any;
    for (let i = 0; i < 50 && status !== 503; i++) {
      const response = await fetch(`${product.url}/healthz`);
      status = response.status;
      report = await response.json();
      if (status !== 503) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 503);
    assert.equal(report.temporal.reachable, false);
    process.kill(product.child.pid!, 'SIGTERM');
    assert.ok((await waitGroupGone(product, 10_000)) < 10_000);
  });

  it('with TEMPORAL_ADDRESS set, starts no server and uses that cluster', async () => {
    const env = await productEnv();
    const cluster = await startDevServer({
      cliPath: temporalCliPath(),
      dataDir: await tempDir('incident-cluster'),
      host: '127.0.0.1',
      port: await freePort(),
      uiPort: 0,
      ui: false,
      namespace: 'incidents-prod',
    });
    try {
      const product = start({ ...env, TEMPORAL_ADDRESS: cluster.address, TEMPORAL_NAMESPACE: 'incidents-prod' });
      await waitHealthy(product);
      const health = (await (await fetch(`${product.url}/healthz`)).json()) as any;
      assert.deepEqual([health.temporal.address, health.temporal.namespace], [cluster.address, 'incidents-prod']);
      assert.equal(existsSync(join(env.DATA_DIR, 'temporal.pid')), false, 'no embedded server was started');
      const declared = await runCli(
        ['declare', 'Abuse campaign', '--category', 'abuse', '--severity', 'P2', '--json'],
        {
          INCIDENT_API_URL: product.url,
          INCIDENT_USER: 'dana',
        },
      );
      assert.equal(declared.code, 0, declared.stderr);
      const id = JSON.parse(declared.stdout).id;
      assert.equal(
        await workflowStatus(cluster.address, 'incidents-prod', id),
        'RUNNING',
        'the incident runs on the external cluster',
      );
      process.kill(product.child.pid!, 'SIGTERM');
      await waitGroupGone(product, 10_000);
    } finally {
      await cluster.stop();
    }
  });

  it('refuses to start with an invalid runbook, naming the file and path', async () => {
    const env = await productEnv();
    const runbooksDir = join(env.DATA_DIR, 'runbooks');
    await cp(join(repoRoot, 'runbooks'), runbooksDir, { recursive: true });
    const file = join(runbooksDir, 'generic.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('kind: flag', 'kind: flgа'));
    const product = start({ ...env, RUNBOOKS_DIR: runbooksDir });
    const { code } = await product.exited;
    assert.notEqual(code, 0);
    assert.match(product.output(), new RegExp(`${file}: containment\\[0\\]\\.kind: kind must be one of`));
    assert.equal(existsSync(join(env.DATA_DIR, 'temporal.sqlite')), false, 'nothing was started');
  });

  it('refuses a bad environment before starting anything, naming the variable', async () => {
    const env = { ...(await productEnv()), PORT: 'abc' };
    const product = start(env);
    const { code } = await product.exited;
    assert.notEqual(code, 0);
    assert.match(product.output(), /PORT="abc": must be a port number/);
    assert.match(product.output(), /Nothing was started/);
    assert.equal(existsSync(join(env.DATA_DIR, 'temporal.sqlite')), false);
  });
});

describe('after the fire, as a user runs it', () => {
  it('postmortem draft, corrective actions to closure, and a KPI report that /metrics agrees with', async () => {
    const env = { ...(await productEnv()), METRICS_REFRESH_SECONDS: '1' };
    const cliEnv = { INCIDENT_API_URL: `http://127.0.0.1:${env.PORT}`, INCIDENT_USER: 'alice' };
    const cli = async (args: string[], as = 'alice') => {
      const run = await runCli([...args, '--as', as], cliEnv);
      return run;
    };
    const ok = async (args: string[], as = 'alice') => {
      const run = await cli(args, as);
      assert.equal(run.code, 0, `incident ${args.join(' ')}: ${run.stderr}`);
      return run.stdout;
    };
    const product = start(env);
    await waitHealthy(product, 30_000);
    const connection = await Connection.connect({ address: `127.0.0.1:${env.TEMPORAL_DEV_SERVER_PORT}` });
    const { config } = await connection.workflowService.describeNamespace({ namespace: 'default' });
    await connection.close();
    assert.equal(
      Number(config?.workflowExecutionRetentionTtl?.seconds),
      EMBEDDED_RETENTION_DAYS * 86_400,
      'closed incidents stay for the KPI report',
    );

    const detectedAt = new Date(Date.now() - 20 * 60_000).toISOString();
    const id = JSON.parse(
      await ok([
        'declare',
        'Support bot quotes internal notes',
        '--category',
        'other',
        '--severity',
        'P1',
        '--service',
        'support-bot',
        '--detected-at',
        detectedAt,
        '--json',
      ]),
    ).id as string;
    await ok(['ack', id]);
    await ok(['approve', id, 'kill-switch']);
    const early = await cli(['postmortem', id]);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /postmortem draft is written when it is resolved \(HTTP 409\)/);
    await ok(['resolve', id, '--summary', 'Assistant off until retrieval is fixed']);

    const draft = await ok(['postmortem', id]);
    assert.match(draft, new RegExp(`^# Postmortem: ${id} Support bot quotes internal notes`));
    for (const section of [
      '## Summary',
      '## Impact window',
      '## Detection',
      '## Timeline',
      '## Containment',
      '## Root cause',
    ])
      assert.ok(draft.includes(section), `draft has ${section}`);
    assert.match(draft, /Declared by a person: alice/);
    assert.match(draft, /kill-switch[\s\S]*approved by alice/);

    assert.match(
      await ok([
        'action',
        'add',
        id,
        '--title',
        'Eval for internal-note leakage',
        '--owner',
        'carol',
        '--kind',
        'detect',
      ]),
      /A1 added: Eval for internal-note leakage/,
    );
    await ok(['action', 'add', id, '--title', 'Second retrieval filter', '--owner', 'dave', '--due', '2099-01-01']);
    let listed = '';
    for (let i = 0; i < 50 && !/LOCAL-2/.test(listed); i++) listed = await ok(['action', 'list', id]);
    assert.match(listed, /A1 +detect +open +carol +\d{4}-\d{2}-\d{2} +LOCAL-\d/);
    assert.match(await ok(['action', 'close', id, 'A1'], 'carol'), /A1 +detect +closed on time +carol/);
    const refused = await cli(['action', 'waive', id, 'A2', '--reason', 'meh'], 'dave');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /dave may not waive A2: only the incident commander may \(HTTP 403\)/);
    assert.match(await ok(['action', 'waive', id, 'A2', '--reason', 'A1 catches it first']), /A2 +prevent +waived/);
    assert.match(await ok(['postmortem', id, '--complete']), /postmortem completed by alice; status closed/);
    const tickets = JSON.parse(await readFile(join(env.DATA_DIR, 'tickets.json'), 'utf8')).tickets as {
      key: string;
      closed: boolean;
      title: string;
      comments?: { text: string }[];
    }[];
    assert.deepEqual(
      tickets.map((t) => [t.key, t.closed]),
      [
        ['LOCAL-1', true],
        ['LOCAL-2', true],
        ['LOCAL-3', false],
      ],
      'a waived action leaves its ticket to the team',
    );
    assert.match(
      tickets[0]!.title,
      new RegExp(`^\\[${id}\\] P1 `),
      'LOCAL-1 is the incident record, closed with the incident',
    );
    assert.match(tickets[0]!.comments!.at(-1)!.text, /^# Postmortem/, 'with the postmortem attached');

    const repeatId = JSON.parse(
      await ok([
        'declare',
        'Support bot quotes notes again',
        '--category',
        'other',
        '--severity',
        'P2',
        '--service',
        'support-bot',
        '--json',
      ]),
    ).id as string;

    let kpis: any;
    for (let i = 0; i < 50 && kpis?.incidents.total !== 2; i++) kpis = JSON.parse(await ok(['report', '--json']));
    assert.deepEqual(kpis.incidents.bySeverity, { P0: 0, P1: 1, P2: 1, P3: 0 });
    assert.deepEqual(kpis.repeats.incidents, [{ id: repeatId, repeatOf: id }]);
    assert.deepEqual(
      [kpis.actions.closedOnTime, kpis.actions.waived, kpis.actions.due, kpis.actions.onTimeRate],
      [1, 1, 1, 1],
    );
    assert.equal(kpis.timings.P1.detect.count, 1);
    assert.ok(
      Math.abs(kpis.timings.P1.detect.medianMs - 20 * 60_000) < 60_000,
      'time to detect: from --detected-at to the declaration',
    );
    assert.equal(kpis.timings.P1.mitigate.count, 1);

    // /metrics serves KPIs computed in the background (every METRICS_REFRESH_SECONDS): read until they caught up.
    const expected = expectedSamples(kpis, {});
    const kpiSamples = (samples: Map<string, number>) =>
      new Map([...samples].filter(([key]) => expected.has(key) && !key.startsWith('incident_kpi_window_')));
    let scraped = new Map<string, number>();
    for (let i = 0; i < 50; i++) {
      const metrics = await fetch(`${product.url}/metrics`);
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      scraped = parsedSamples(await metrics.text());
      if (isDeepStrictEqual(kpiSamples(scraped), kpiSamples(expected))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(
      kpiSamples(scraped),
      kpiSamples(expected),
      '/metrics carries the numbers of `incident report --json`',
    );
    assert.equal(
      [...expected.keys()].filter((key) => !key.startsWith('incident_kpi_window_') && !scraped.has(key)).length,
      0,
      '/metrics has every KPI sample',
    );

    assert.match(await ok(['report']), /On-time closure: 100 % \(1 of 1 due; target 85 %\)/);
    process.kill(product.child.pid!, 'SIGTERM');
    await waitGroupGone(product, 10_000);
  });
});

describe('with LaunchDarkly, PagerDuty and GitHub configured, as a user runs it', () => {
  it('one P1 pages once, turns the flag off once verified through the SDK, files an issue per action closed by its webhook; nothing unredacted leaves', async () => {
    const certificate = await makeTestCertificate();
    const ldToken = 'api-e2e-0123456789';
    const sdkKey = 'sdk-e2e-0123456789';
    const ld = await startLaunchDarklyFake({
      project: 'assistant',
      token: ldToken,
      sdkKey,
      flags: [
        {
          key: 'ai-assistant-enabled',
          variations: [
            { _id: 'on', value: true },
            { _id: 'off', value: false },
          ],
          environments: { production: { on: true, offVariation: 1, fallthrough: { variation: 0 }, _version: 1 } },
        },
      ],
    });
    const routingKey = 'R0UT1NGKEYE2E00000000000000000001';
    const pdToken = 'u+pd-e2e-token';
    const pd = await startPagerDutyFake({ routingKey, apiToken: pdToken, certificate });
    const ghToken = 'ghp_e2e0123456789';
    const github = await startGitHubFake({ repository: 'acme/assistant', token: ghToken });
    const secret = 'whsec-e2e-0123456789';
    const email = 'dana.reyes@example.com';
    const apiKey = 'sk-proj-Zx81mQ2vLp0aR7tYc3Kd9fWb';
    try {
      const env = {
        ...(await productEnv()),
        LAUNCHDARKLY_API_TOKEN: ldToken,
        LAUNCHDARKLY_PROJECT_KEY: 'assistant',
        LAUNCHDARKLY_ENVIRONMENT_KEY: 'production',
        LAUNCHDARKLY_API_URL: ld.url,
        LAUNCHDARKLY_SDK_KEY: sdkKey,
        LAUNCHDARKLY_BASE_URI: ld.url,
        LAUNCHDARKLY_STREAM_URI: ld.url,
        PAGERDUTY_ROUTING_KEY: routingKey,
        PAGERDUTY_EVENTS_SERVER: pd.eventsServer,
        PAGERDUTY_API_TOKEN: pdToken,
        PAGERDUTY_API_URL: pd.apiUrl,
        NODE_EXTRA_CA_CERTS: certificate.caFile,
        GITHUB_TOKEN: ghToken,
        GITHUB_REPOSITORY: 'acme/assistant',
        GITHUB_API_URL: github.url,
        GITHUB_WEBHOOK_SECRET: secret,
      };
      const cliEnv = { INCIDENT_API_URL: `http://127.0.0.1:${env.PORT}`, INCIDENT_USER: 'alice' };
      const product = start(env);
      await waitHealthy(product, 30_000);
      assert.match(
        product.output(),
        /Flags +LaunchDarkly project assistant, environment production \(verified by SDK evaluation\)/,
      );
      assert.match(product.output(), /Paging +PagerDuty/);
      assert.match(
        product.output(),
        /Tickets +GitHub acme\/assistant, webhook http:\/\/127\.0\.0\.1:\d+\/webhooks\/tickets\/github/,
      );

      const declared = await runCli(
        [
          'declare',
          `Assistant mails internal notes to ${email}`,
          '--category',
          'other',
          '--severity',
          'P1',
          '--description',
          `A user pasted ${apiKey} and it was echoed; reporter ${email}`,
          '--json',
        ],
        cliEnv,
      );
      assert.equal(declared.code, 0, declared.stderr);
      const id = JSON.parse(declared.stdout).id as string;
      const trigger = await eventually(
        () => pd.events.find((e) => e.body.event_action === 'trigger'),
        Boolean,
        'the page',
      );
      assert.equal(trigger!.body.dedup_key, id);
      assert.equal(trigger!.body.payload.severity, 'critical');
      assert.ok(
        trigger!.body.links.some(
          (l: { href: string }) => l.href === `http://127.0.0.1:${env.PORT}/api/incidents/${id}`,
        ),
        'the page links the incident',
      );

      const approved = await runCli(['approve', id, 'kill-switch'], cliEnv);
      assert.equal(approved.code, 0, approved.stderr);
      assert.match(approved.stdout, /kill-switch +\[verified\]/);
      assert.equal(
        ld.flags.get('ai-assistant-enabled')!.environments.production!.on,
        false,
        'the flag is off in LaunchDarkly',
      );
      const patches = ld.requests.filter((r) => r.method === 'PATCH');
      assert.equal(patches.length, 1, 'changed once');
      assert.match(patches[0]!.body.comment, new RegExp(`^${id}: .*approved by alice.* \\[${id}/kill-switch\\]$`));
      assert.ok(
        ld.streams.some((s) => s.authorization === sdkKey),
        'the SDK streamed with its key',
      );
      const shown = (await runCli(['show', id], cliEnv)).stdout;
      assert.match(
        shown,
        /Verified: flag ai-assistant-enabled is off and serves false \(observed through the LaunchDarkly SDK for user "incident-response-verifier"\)/,
      );
      await eventually(
        () => pd.alerts.get(id)?.status,
        (s) => s === 'acknowledged',
        "the IC's approval acknowledges the page",
      );

      assert.equal((await runCli(['resolve', id, '--summary', 'off'], cliEnv)).code, 0);
      await eventually(
        () => pd.alerts.get(id)?.status,
        (s) => s === 'resolved',
        'resolution resolves the page',
      );
      assert.equal(pd.incidentsOpened(), 1, 'paged once');
      assert.deepEqual(
        pd.events.map((e) => e.body.event_action),
        ['trigger', 'acknowledge', 'resolve'],
      );
      const afterResolve = (await runCli(['show', id], cliEnv)).stdout;
      for (const line of [
        `Paged safety-oncall: declared, via PagerDuty (dedup key ${id}): incident #1 https://acme.pagerduty.com/incidents/Q1, assigned to Dana On-call`,
        `Page acknowledged, via PagerDuty (dedup key ${id})`,
        `Page resolved, via PagerDuty (dedup key ${id})`,
      ]) {
        assert.ok(afterResolve.includes(line), `the timeline shows "${line}"`);
      }

      const record = await eventually(
        () => github.issues.find((i) => i.labels.some((l) => l.name === `incident-record:${id}`)),
        Boolean,
        'the incident record',
      );
      assert.match(
        record!.title,
        new RegExp(`^\\[${id}\\] P1 Assistant mails internal notes to \\[redacted email\\]$`),
      );
      await eventually(
        () => record!.comments,
        (c) => c.some((x) => x.body.startsWith('Resolved by alice')),
        'the resolution on the record',
      );

      const beforeLimit = github.requests.length;
      github.failNext(1, 429, { 'retry-after': '2' });
      assert.equal(
        (await runCli(['action', 'add', id, '--title', 'Eval for internal notes', '--owner', 'carol'], cliEnv)).code,
        0,
      );
      assert.equal(
        (
          await runCli(
            ['action', 'add', id, '--title', `Scrub keys like ${apiKey} from logs`, '--owner', 'erin'],
            cliEnv,
          )
        ).code,
        0,
      );
      const actionIssues = () =>
        github.issues.filter((i) => i.labels.some((l) => l.name.startsWith('incident-action:')));
      const issues = await eventually(
        actionIssues,
        (all) => all.length === 2,
        'two GitHub issues for the actions',
        20_000,
      );
      const rateLimited = github.requests[beforeLimit]!; // A1's look-up for an existing issue, answered 429
      const retriedAfterMs =
        github.requests.find((r, i) => i > beforeLimit && r.path === rateLimited.path)!.at - rateLimited.at;
      assert.ok(
        retriedAfterMs >= 1_900 && retriedAfterMs < 5_000,
        `the 429's Retry-After: 2 was honoured (retried after ${retriedAfterMs} ms)`,
      );
      for (const n of [1, 2])
        assert.ok(
          issues.find((i) => i.labels.some((l) => l.name === `incident-action:${id}/A${n}`)),
          `A${n} filed as a labelled GitHub issue`,
        );
      assert.ok(
        issues.every((i) => i.body.includes(`/api/incidents/${id}`)),
        'each issue links back to the incident',
      );

      for (const issue of issues) {
        const payload = JSON.stringify({
          action: 'closed',
          issue: { number: issue.number, closed_at: new Date().toISOString(), labels: issue.labels },
          sender: { login: 'carol' },
        });
        const delivered = await fetch(`${product.url}/webhooks/tickets/github`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'issues',
            'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`,
          },
          body: payload,
        });
        assert.equal(delivered.status, 202);
      }
      const listed = await eventually(
        async () => (await runCli(['action', 'list', id], cliEnv)).stdout,
        (out) => (out.match(/closed on time/g) ?? []).length === 2,
        'both actions closed',
      );
      assert.match(
        listed,
        /A1 +prevent +closed on time +carol +\S+ +#3/,
        'A1 filed after the record (#1) and A2 (#2): its first look-up was rate limited',
      );
      assert.equal((await runCli(['postmortem', id, '--complete'], cliEnv)).code, 0);
      await eventually(
        () => record!.state,
        (state) => state === 'closed',
        'the record closes with the incident',
      );
      assert.match(record!.comments.at(-1)!.body, /^# Postmortem/m, 'the postmortem is attached');
      assert.equal(record!.state_reason, 'completed');

      // A revoked LaunchDarkly token: the step fails with the reason, the IC hears, the incident goes on.
      ld.revokeApiToken();
      const second = JSON.parse(
        (await runCli(['declare', 'Second regression', '--category', 'other', '--severity', 'P1', '--json'], cliEnv))
          .stdout,
      ).id as string;
      const failed = await runCli(['approve', second, 'kill-switch'], cliEnv);
      assert.equal(failed.code, 1, 'the CLI exits 1 when the approved step failed');
      assert.match(failed.stdout, /kill-switch +\[failed\]/);
      const secondShown = (await runCli(['show', second], cliEnv)).stdout;
      assert.match(
        secondShown,
        /Step "kill-switch": Execution failed: LaunchDarkly GET flag ai-assistant-enabled in project assistant: 401 Invalid access token/,
      );
      const told = await eventually(
        async () =>
          (await readFile(join(env.DATA_DIR, 'notifications.jsonl'), 'utf8'))
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line)),
        (all) =>
          all.some(
            (n: { incidentId: string; subject: string }) =>
              n.incidentId === second && n.subject.startsWith('Containment step failed'),
          ),
        'the IC is told',
      );
      assert.deepEqual(
        told.find(
          (n: { incidentId: string; subject: string }) =>
            n.incidentId === second && n.subject.startsWith('Containment step failed'),
        ).audience,
        ['ic:alice'],
      );
      assert.equal(
        (await runCli(['resolve', second, '--summary', 'switched off by hand'], cliEnv)).code,
        0,
        'the incident goes on',
      );

      const outward = [...ld.requests, ...pd.events, ...pd.apiRequests, ...github.requests].map(
        (r) => JSON.stringify(r.body ?? '') + r.path,
      );
      for (const raw of [email, apiKey])
        assert.ok(!outward.some((sent) => sent.includes(raw)), `${raw} reached a service unredacted`);
      assert.match(trigger!.body.payload.summary, /\[redacted email\]/);
      assert.ok(issues.some((i) => i.title.includes('[redacted secret]')));
      const inbox = await readFile(join(env.DATA_DIR, 'notifications.jsonl'), 'utf8');
      for (const raw of [email, apiKey]) assert.ok(!inbox.includes(raw), `${raw} reached a notification unredacted`);
      const logs = product.output();
      for (const secretValue of [ldToken, sdkKey, pdToken, routingKey, ghToken, secret])
        assert.ok(!logs.includes(secretValue), 'no secret in the server log');
      process.kill(product.child.pid!, 'SIGTERM');
      await waitGroupGone(product, 10_000);
    } finally {
      await Promise.all([ld.stop(), pd.stop(), github.stop()]);
    }
  });
});
