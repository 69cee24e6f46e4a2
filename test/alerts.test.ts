import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { temporalCliPath } from '../app/temporal/temporal-binaries.js';
import { startDevServer, type DevServer } from '../app/temporal/temporal-dev-server.js';
import type { IncidentState } from '../workflows/types.js';
import { tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import { spawnProduct, stopProduct, waitHealthy, type RunningProduct } from './support/product.js';
import { eventually } from './support/eventually.js';

const TOKEN = 'alert-token-0123456789';
const GRAFANA_SECRET = 'grafana-hmac-secret-0123';
/** Above the alertmanager groups the tests below open within a minute; the last test goes past it on generic. */
const NEW_GROUPS_PER_MINUTE = 8;
let clusterDir: string;
let clusterPort: number;
let cluster: DevServer | undefined;
let product: RunningProduct;

const startCluster = async () =>
  startDevServer({
    cliPath: temporalCliPath(),
    dataDir: clusterDir,
    host: '127.0.0.1',
    port: clusterPort,
    uiPort: 0,
    ui: false,
    namespace: 'default',
  });

before(async () => {
  clusterDir = await tempDir('alerts-cluster');
  clusterPort = await freePort();
  cluster = await startCluster();
  product = spawnProduct({
    DATA_DIR: await tempDir('alerts-product'),
    PORT: String(await freePort()),
    TEMPORAL_ADDRESS: cluster.address,
    ALERT_WEBHOOK_TOKEN: TOKEN,
    ALERT_COMMANDER: 'alice',
    ALERT_GRAFANA_HMAC_SECRET: GRAFANA_SECRET,
    ALERT_NEW_GROUPS_PER_MINUTE: String(NEW_GROUPS_PER_MINUTE),
  });
  await waitHealthy(product, 30_000);
});
after(async () => {
  await stopProduct(product);
  await cluster?.stop();
});

/** A real Alertmanager v4 notification (webhook_config), one alert. */
function alertmanagerPayload(
  status: 'firing' | 'resolved',
  { groupKey = '{}/{severity="critical"}:{alertname="JailbreakRateHigh"}', fingerprint = 'a1b2c3d4e5f60718' } = {},
) {
  const startsAt = '2026-11-27T06:58:00.000Z';
  const alert = {
    status,
    labels: { alertname: 'JailbreakRateHigh', severity: 'critical', service: 'assistant', category: 'jailbreak' },
    annotations: {
      summary: 'Jailbreak success rate above 2% for 5 minutes',
      description: 'Red-team probe success rate 4.1% (threshold 2%).',
    },
    startsAt,
    endsAt: status === 'resolved' ? '2026-11-27T07:20:00.000Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example:9090/graph?g0.expr=jailbreak_success_rate+%3E+0.02',
    fingerprint,
  };
  return {
    receiver: 'incident-response',
    status,
    alerts: [alert],
    groupLabels: { alertname: 'JailbreakRateHigh' },
    commonLabels: alert.labels,
    commonAnnotations: alert.annotations,
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey,
    truncatedAlerts: 0,
  };
}

function post(
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
) {
  return fetch(`${product.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

async function incidents(): Promise<{ id: string; status: string }[]> {
  return (
    (await (await fetch(`${product.url}/api/incidents?status=all`)).json()) as {
      incidents: { id: string; status: string }[];
    }
  ).incidents;
}

async function incident(id: string): Promise<IncidentState> {
  return (await (await fetch(`${product.url}/api/incidents/${id}`)).json()) as IncidentState;
}

describe('alerts in, as Alertmanager sends them', () => {
  it('refuses what is not authentic or not a payload, naming the problem, and starts nothing', async () => {
    const valid = JSON.stringify(alertmanagerPayload('firing'));
    assert.equal((await post('/webhooks/alertmanager', valid, {})).status, 401);
    const wrong = await post('/webhooks/alertmanager', valid, { authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /Bearer/);
    const basic = Buffer.from(`alertmanager:${TOKEN}`).toString('base64');

    const cases: [string, string | Buffer, RegExp][] = [
      ['malformed JSON', '{"version": "4", "alerts": [', /not JSON/i],
      ['no alerts array', JSON.stringify({ ...alertmanagerPayload('firing'), alerts: undefined }), /alerts/],
      [
        'wrong types',
        JSON.stringify({
          ...alertmanagerPayload('firing'),
          alerts: [{ ...alertmanagerPayload('firing').alerts[0], labels: 'severity=critical' }],
        }),
        /alerts\[0\]\.labels/,
      ],
      ['another version', JSON.stringify({ ...alertmanagerPayload('firing'), version: '3' }), /version/],
    ];
    for (const [what, body, named] of cases) {
      const response = await post('/webhooks/alertmanager', body, { authorization: `Basic ${basic}` });
      const answer = (await response.json()) as { error: string };
      assert.equal(response.status, 400, what);
      assert.match(answer.error, named, `${what}: ${answer.error}`);
    }
    const huge = await post('/webhooks/alertmanager', Buffer.alloc(2 * 1024 * 1024, ' '));
    assert.equal(huge.status, 413);
    assert.equal((await post('/webhooks/nagios', valid)).status, 404);
    assert.equal((await fetch(`${product.url}/healthz`)).status, 200, 'still up');
    assert.deepEqual(await incidents(), [], 'no incident started');
  });

  it('firing, the same again, then resolved: one incident whose timeline shows the first firing, the repeat count and the resolution', async () => {
    const firing = JSON.stringify(alertmanagerPayload('firing'));
    const first = await post('/webhooks/alertmanager', firing);
    assert.equal(first.status, 202);
    const [opened] = await eventually(incidents, (list) => list.length === 1, 'the incident');
    const state = await eventually(
      () => incident(opened!.id),
      (s) => s.status === 'triaging',
      'triage',
    );
    assert.equal(state.severity, 'P1', 'severity=critical');
    assert.equal(
      state.runbook?.id,
      'prompt-injection-tool-misuse',
      "the runbook's alert matcher (Jailbreak.*) chose it",
    );
    assert.equal(state.commander, 'alice');
    assert.equal(state.detectedAt, '2026-11-27T06:58:00.000Z', 'detected when the alert started');
    assert.match(state.title, /JailbreakRateHigh/);

    assert.equal((await post('/webhooks/alertmanager', firing)).status, 202);
    const repeated = await eventually(
      () => incident(opened!.id),
      (s) => s.alerts?.received === 2,
      'the repeat counted',
    );
    assert.equal(
      repeated.timeline.filter((e) => e.type === 'alert.firing').length,
      1,
      'a repeat is counted, not announced',
    );

    assert.equal((await post('/webhooks/alertmanager', JSON.stringify(alertmanagerPayload('resolved')))).status, 202);
    const resolved = await eventually(
      () => incident(opened!.id),
      (s) => s.timeline.some((e) => e.type === 'alerts.all-resolved'),
      'the resolution',
    );
    assert.deepEqual(
      resolved.timeline.filter((e) => e.type.startsWith('alert')).map((e) => e.message),
      [
        'Alert firing since 2026-11-27T06:58:00.000Z: JailbreakRateHigh: Jailbreak success rate above 2% for 5 minutes',
        'Alert resolved at 2026-11-27T07:20:00.000Z: JailbreakRateHigh: Jailbreak success rate above 2% for 5 minutes (3 notifications)',
        'All 1 alert resolved (3 notifications in all); the IC may resolve the incident',
      ],
    );
    assert.equal(resolved.status, 'triaging', 'the IC decides when to resolve');
    assert.equal((await incidents()).length, 1, 'one incident for the group');
  });

  it('a runbook label that names no runbook: the 202 and the timeline say so, naming the label and the runbook used; a valid label, nothing', async () => {
    const labelled = (alertname: string, runbook: string) => {
      const payload = alertmanagerPayload('firing', {
        groupKey: `{}:{alertname="${alertname}"}`,
        fingerprint: `fp-${alertname}`,
      });
      const labels = { alertname, severity: 'warning', service: 'assistant', runbook };
      return JSON.stringify({ ...payload, alerts: [{ ...payload.alerts[0]!, labels }], commonLabels: labels });
    };
    const before = (await incidents()).map((i) => i.id);
    const response = await post('/webhooks/alertmanager', labelled('SuspiciousToolUse', 'prompt-injection'));
    assert.equal(response.status, 202);
    const { warnings } = (await response.json()) as { warnings?: string[] };
    assert.equal(warnings?.length, 1);
    assert.match(
      warnings[0]!,
      /runbook="prompt-injection" names no runbook; routed to "Generic AI incident" \(generic\)/,
    );
    const [opened] = await eventually(incidents, (list) => list.length === before.length + 1, 'the incident');
    const state = await eventually(
      () => incident(opened!.id),
      (s) => s.status === 'triaging',
      'triage',
    );
    assert.equal(state.runbook?.id, 'generic');
    assert.deepEqual(
      state.timeline.filter((e) => e.type === 'runbook.warning').map((e) => e.message),
      warnings,
    );

    const valid = await post('/webhooks/alertmanager', labelled('EvalDrop', 'model-regression'));
    assert.equal(valid.status, 202);
    assert.equal(((await valid.json()) as { warnings?: string[] }).warnings, undefined);
    const list = await eventually(incidents, (all) => all.length === before.length + 2, 'the second incident');
    const second = await eventually(
      () => incident(list.find((i) => i.id !== opened!.id && !before.includes(i.id))!.id),
      (s) => s.status === 'triaging',
      'triage',
    );
    assert.equal(second.runbook?.id, 'model-regression');
    assert.equal(second.timeline.filter((e) => e.type === 'runbook.warning').length, 0);
  });

  it('takes Grafana deliveries only when signed with the contact point secret, and without the alert token', async () => {
    const payload = JSON.stringify({
      receiver: 'incident-response',
      status: 'firing',
      orgId: 1,
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'HarmfulOutputRate', grafana_folder: 'Safety', severity: 'warning' },
          annotations: { summary: 'Moderation flags at 3x baseline' },
          startsAt: '2026-11-27T07:01:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'https://grafana.example/alerting/grafana/abc/view',
          fingerprint: '8d5c0c2d1a7e3f10',
          silenceURL: 'https://grafana.example/alerting/silence/new',
          dashboardURL: 'https://grafana.example/d/safety',
          panelURL: 'https://grafana.example/d/safety?viewPanel=3',
          values: { B: 3.1 },
          valueString: '[ var=B value=3.1 ]',
        },
      ],
      groupLabels: { alertname: 'HarmfulOutputRate' },
      commonLabels: { alertname: 'HarmfulOutputRate' },
      commonAnnotations: {},
      externalURL: 'https://grafana.example/',
      version: '1',
      groupKey: '{}/{__grafana_autogenerated__="true"}:{alertname="HarmfulOutputRate"}',
      truncatedAlerts: 0,
      title: '[FIRING:1] HarmfulOutputRate',
      state: 'alerting',
      message: 'Moderation flags at 3x baseline',
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const sign = (text: string) => createHmac('sha256', GRAFANA_SECRET).update(text).digest('hex');
    const unsigned = await post('/webhooks/grafana', payload, {});
    assert.equal(unsigned.status, 401);
    assert.match(((await unsigned.json()) as { error: string }).error, /Missing X-Grafana-Alert-Signature/);
    const forged = await post('/webhooks/grafana', payload, {
      'x-grafana-alert-timestamp': timestamp,
      'x-grafana-alert-signature': sign(`${timestamp}:{}`),
    });
    assert.equal(forged.status, 401);
    const stale = String(Number(timestamp) - 600);
    assert.equal(
      (
        await post('/webhooks/grafana', payload, {
          'x-grafana-alert-timestamp': stale,
          'x-grafana-alert-signature': sign(`${stale}:${payload}`),
        })
      ).status,
      401,
    );
    const before = (await incidents()).map((i) => i.id);
    const withToken = await post('/webhooks/grafana', payload, {
      authorization: `Bearer ${TOKEN}`,
      'x-grafana-alert-timestamp': timestamp,
      'x-grafana-alert-signature': sign(`${timestamp}:${payload}`),
    });
    assert.equal(withToken.status, 401, 'Grafana signs instead: the token it would carry must not open other routes');
    const signed = await post('/webhooks/grafana', payload, {
      'x-grafana-alert-timestamp': timestamp,
      'x-grafana-alert-signature': sign(`${timestamp}:${payload}`),
    });
    assert.equal(signed.status, 202);
    const list = await eventually(incidents, (all) => all.length === before.length + 1, 'the Grafana incident');
    const grafana = await eventually(
      () => incident(list.find((i) => !before.includes(i.id))!.id),
      (s) => s.status === 'triaging',
      'triage',
    );
    assert.equal(grafana.declaredBy, 'grafana');
    assert.equal(grafana.runbook?.id, 'harmful-output-spike', 'HarmfulOutput.* matched its runbook');
    assert.equal(grafana.severity, 'P3', 'severity=warning');
  });

  it("answers 503 while Temporal is down, and the sender's retry opens the incident once it is back", async () => {
    const before = (await incidents()).length;
    await cluster!.stop();
    cluster = undefined;
    const payload = JSON.stringify(
      alertmanagerPayload('firing', { groupKey: '{}:{alertname="ToolCallSpike"}', fingerprint: 'ffee000011112222' }),
    );
    const down = await post('/webhooks/alertmanager', payload);
    assert.equal(down.status, 503);
    assert.equal(down.headers.get('retry-after'), '5');
    cluster = await startCluster();
    const retried = await eventually(
      () => post('/webhooks/alertmanager', payload).then((r) => r.status),
      (status) => status === 202,
      'the retry accepted',
      30_000,
    );
    assert.equal(retried, 202);
    await eventually(incidents, (list) => list.length === before + 1, 'the incident opened by the retry', 20_000);
  });

  it('folds new groups past ALERT_NEW_GROUPS_PER_MINUTE from one source into its flood incident', async () => {
    const keys = Array.from({ length: NEW_GROUPS_PER_MINUTE + 2 }, (_, i) => `rate-${i}`);
    const body = {
      alerts: keys.map((groupKey) => ({
        status: 'firing',
        groupKey,
        labels: { alertname: 'RateProbe', service: 'assistant' },
        annotations: { summary: groupKey },
      })),
    };
    const answer = await post('/webhooks/generic', JSON.stringify(body));
    assert.equal(answer.status, 202);
    const { groups } = (await answer.json()) as { groups: { groupKey: string; alerts: number }[] };
    const own = groups.filter((g) => g.groupKey !== 'flood:generic');
    assert.equal(
      own.length,
      NEW_GROUPS_PER_MINUTE,
      'the configured rate, not the default of 60, of groups of their own',
    );
    assert.ok(own.every((g) => keys.includes(g.groupKey) && g.alerts === 1));
    assert.equal(groups.find((g) => g.groupKey === 'flood:generic')?.alerts, 2, 'the two past it joined the flood');
  });
});
