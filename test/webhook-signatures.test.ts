// The attacks on every signed webhook, against the routes as the server mounts them: a missing, NaN or
// future timestamp, a signature with bytes appended or spelled in upper case, a replay within the
// window (and, for the trackers, under a fresh delivery id), Grafana's token used as a credential, and
// Slack bodies that are signed but not of a shape Slack sends.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createAlertWebhook } from '../app/alerts/alert-webhook.js';
import { loadServerConfig } from '../app/config.js';
import { alertRoutes } from '../app/http/alert-routes.js';
import { startHttpServer, stopHttpServer } from '../app/http/server.js';
import { ticketWebhookRoutes } from '../app/http/ticket-webhook-routes.js';
import { Authenticator } from '../app/identity/authenticator.js';
import { createHealthCheck } from '../app/health.js';
import { slackFromConfig, startSlackApp, type RunningSlackApp } from '../app/slack/setup.js';
import { createLogger } from '../integrations/log.js';
import { freePort } from './support/ports.js';
import { startSlackFake, type SlackFake } from './support/slack-fake.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const ALERT_TOKEN = 'alert-token-0123456789';
const GRAFANA_SECRET = 'grafana-hmac-secret-0123';
const GITHUB_SECRET = 'github-secret-0123456789';
const JIRA_SECRET = 'jira-secret-0123456789';
const SLACK_SECRET = 'slack-signing-secret-0123456789';

let harness: TemporalHarness;
let slackFake: SlackFake;
let slackApp: RunningSlackApp;
let server: Server;
let base: string;

before(async () => {
  harness = await startTemporalHarness();
  slackFake = await startSlackFake();
  const service = harness.service();
  const config = loadServerConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: slackFake.apiUrl,
    RUNBOOKS_DIR: harness.runbooks.dir,
  });
  const log = createLogger('error');
  slackApp = await startSlackApp(slackFromConfig(config, harness.runbooks)!, config, service, log);
  const alerts = createAlertWebhook({
    client: harness.client,
    taskQueue: harness.taskQueue,
    runbooks: harness.runbooks,
    token: ALERT_TOKEN,
    grafanaSecret: GRAFANA_SECRET,
    loopbackOnly: false,
    commander: 'alice',
  });
  const port = await freePort();
  server = await startHttpServer('127.0.0.1', port, {
    routes: [
      ...alertRoutes(alerts, { token: ALERT_TOKEN, loopbackOnly: false, grafanaSigned: true }),
      ...ticketWebhookRoutes(service, { githubSecret: GITHUB_SECRET, jiraSecret: JIRA_SECRET }),
      ...slackApp.routes,
    ],
    health: createHealthCheck({ ...harness.temporal, worker: harness.worker, taskQueue: harness.taskQueue }),
    auth: new Authenticator({ apiToken: 'api-token-0123456789abcdef', tokensAreASource: false }),
    log,
  });
  base = `http://127.0.0.1:${port}`;
});
after(async () => {
  if (server) await stopHttpServer(server);
  await slackApp?.stop();
  await slackFake?.close();
  await harness?.stop();
});

const hmac = (secret: string, ...parts: string[]) => {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest('hex');
};
const nowS = () => Math.floor(Date.now() / 1000);

async function post(path: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, error: text.startsWith('{') ? String(JSON.parse(text).error ?? '') : text };
}

/** Alertmanager and Grafana bodies differ only in what Grafana adds; a new group key per call keeps them apart. */
let grafanaCount = 0;
function grafanaBody(): string {
  const n = ++grafanaCount;
  const labels = { alertname: `SignatureTest${n}`, severity: 'warning' };
  return JSON.stringify({
    receiver: 'incident-response',
    status: 'firing',
    orgId: 1,
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary: 'signed' },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'https://grafana.example/alerting/grafana/x/view',
        fingerprint: `f${n}`,
        silenceURL: 'https://grafana.example/alerting/silence/new',
        dashboardURL: '',
        panelURL: '',
      },
    ],
    groupLabels: labels,
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'https://grafana.example/',
    version: '1',
    groupKey: `{}:{alertname="SignatureTest${n}"}`,
    truncatedAlerts: 0,
  });
}

describe('Grafana (ALERT_GRAFANA_HMAC_SECRET set)', () => {
  const deliver = (body: string, headers: Record<string, string>) => post('/webhooks/grafana', body, headers);
  const signed = (body: string, timestamp = String(nowS())) => ({
    'x-grafana-alert-timestamp': timestamp,
    'x-grafana-alert-signature': hmac(GRAFANA_SECRET, `${timestamp}:`, body),
  });

  it('takes a signed delivery without any token, once: its replay within the window is refused with 409', async () => {
    const body = grafanaBody();
    const headers = signed(body);
    const first = await deliver(body, headers);
    assert.equal(first.status, 202, first.error);
    const replay = await deliver(body, headers);
    assert.equal(replay.status, 409);
    assert.match(replay.error, /already received: a replay/);
  });

  it('refuses a delivery signed over the body alone, with no timestamp, naming the header', async () => {
    const body = grafanaBody();
    const refused = await deliver(body, { 'x-grafana-alert-signature': hmac(GRAFANA_SECRET, body) });
    assert.equal(refused.status, 401);
    assert.match(refused.error, /Missing X-Grafana-Alert-Timestamp/);
  });

  it('refuses a timestamp that is not Unix seconds (NaN once skipped the window check)', async () => {
    const body = grafanaBody();
    for (const timestamp of ['now', '1e12', '-1', '12ab', `${nowS()}.5`]) {
      const refused = await deliver(body, signed(body, timestamp));
      assert.equal(refused.status, 401, timestamp);
      assert.match(refused.error, /X-Grafana-Alert-Timestamp must be Unix seconds/, timestamp);
    }
  });

  it('refuses a delivery stamped more than 5 minutes ahead as well as behind', async () => {
    const body = grafanaBody();
    for (const timestamp of [nowS() + 6 * 60, nowS() - 6 * 60]) {
      const refused = await deliver(body, signed(body, String(timestamp)));
      assert.equal(refused.status, 401);
      assert.match(refused.error, /more than 5 minutes from now/);
    }
    const skewed = await deliver(body, signed(body, String(nowS() + 60)));
    assert.equal(skewed.status, 202, 'a minute of clock skew is fine');
  });

  it('refuses a valid signature with bytes appended or in upper case', async () => {
    const body = grafanaBody();
    const headers = signed(body);
    const valid = headers['x-grafana-alert-signature'];
    for (const malleated of [`${valid}zz`, `${valid}00`, `${valid} x`, valid.toUpperCase(), valid.slice(0, 62)]) {
      const refused = await deliver(body, { ...headers, 'x-grafana-alert-signature': malleated });
      assert.equal(refused.status, 401, malleated);
      assert.match(refused.error, /does not match/);
    }
    assert.equal((await deliver(body, headers)).status, 202, 'none of them was taken for the real one');
  });

  it('does not take ALERT_WEBHOOK_TOKEN as a credential on the Grafana route, and refuses a delivery carrying it', async () => {
    const body = grafanaBody();
    const tokenOnly = await deliver(body, { authorization: `Bearer ${ALERT_TOKEN}` });
    assert.equal(tokenOnly.status, 401);
    const basic = `Basic ${Buffer.from(`grafana:${ALERT_TOKEN}`).toString('base64')}`;
    for (const authorization of [`Bearer ${ALERT_TOKEN}`, basic]) {
      const refused = await deliver(body, { ...signed(body), authorization });
      assert.equal(refused.status, 401);
      assert.match(refused.error, /remove ALERT_WEBHOOK_TOKEN from the contact point/);
    }
    const otherRoute = await post('/webhooks/alertmanager', '{}', signed('{}'));
    assert.equal(otherRoute.status, 401, 'a Grafana signature opens no other route');
  });
});

describe('GitHub and Jira ticket webhooks', () => {
  const github = (body: string, headers: Record<string, string>) =>
    post('/webhooks/tickets/github', body, { 'x-github-event': 'issues', ...headers });
  const jira = (body: string, headers: Record<string, string>) => post('/webhooks/tickets/jira', body, headers);
  let n = 0;
  const issueOpened = () => JSON.stringify({ action: 'opened', issue: { number: ++n, labels: [] } });
  const jiraCreated = () => JSON.stringify({ webhookEvent: 'jira:issue_created', timestamp: ++n });

  it('GitHub: a delivery replayed is refused (409), under its delivery id or a fresh one', async () => {
    const body = issueOpened();
    const signature = `sha256=${hmac(GITHUB_SECRET, body)}`;
    const first = await github(body, { 'x-hub-signature-256': signature, 'x-github-delivery': 'd-1' });
    assert.equal(first.status, 202, first.error);
    for (const delivery of ['d-1', 'd-forged']) {
      const replay = await github(body, { 'x-hub-signature-256': signature, 'x-github-delivery': delivery });
      assert.equal(replay.status, 409, delivery);
      assert.match(replay.error, /GitHub delivery already received: a replay/);
    }
    const other = issueOpened();
    const sameId = await github(other, {
      'x-hub-signature-256': `sha256=${hmac(GITHUB_SECRET, other)}`,
      'x-github-delivery': 'd-1',
    });
    assert.equal(sameId.status, 409, 'a delivery id is taken once');
  });

  it('GitHub: a delivery that failed is not remembered, so its retry is taken', async () => {
    const body = '{"action": "closed", "issue": {"number": "not a number"}}';
    const headers = { 'x-hub-signature-256': `sha256=${hmac(GITHUB_SECRET, body)}`, 'x-github-delivery': 'd-bad' };
    assert.equal((await github(body, headers)).status, 400);
    assert.equal((await github(body, headers)).status, 400, 'the same answer, not 409');
  });

  it('GitHub: a valid signature with bytes appended or in upper case is refused', async () => {
    const body = issueOpened();
    const valid = hmac(GITHUB_SECRET, body);
    for (const malleated of [`${valid}zz`, `${valid}00`, valid.toUpperCase(), `${valid.slice(0, 63)}`]) {
      const refused = await github(body, { 'x-hub-signature-256': `sha256=${malleated}` });
      assert.equal(refused.status, 401, malleated);
    }
    assert.equal((await github(body, { 'x-hub-signature-256': `sha256=${valid}` })).status, 202);
  });

  it('Jira: a delivery replayed is refused (409), under its webhook identifier or a fresh one; malleated ones 401', async () => {
    const body = jiraCreated();
    const valid = hmac(JIRA_SECRET, body);
    for (const malleated of [`${valid}zz`, valid.toUpperCase()]) {
      assert.equal((await jira(body, { 'x-hub-signature': `sha256=${malleated}` })).status, 401, malleated);
    }
    const headers = { 'x-hub-signature': `sha256=${valid}`, 'x-atlassian-webhook-identifier': 'jira-1' };
    const first = await jira(body, headers);
    assert.equal(first.status, 202, first.error);
    for (const id of ['jira-1', 'jira-forged']) {
      const replay = await jira(body, { ...headers, 'x-atlassian-webhook-identifier': id });
      assert.equal(replay.status, 409, id);
      assert.match(replay.error, /Jira delivery already received/);
    }
  });
});

describe('Slack (POST /slack/events)', () => {
  const send = (body: string, headers: Record<string, string>, contentType = 'application/json') =>
    post('/slack/events', body, { 'content-type': contentType, ...headers });
  const signed = (body: string, timestamp = String(nowS())) => ({
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': `v0=${hmac(SLACK_SECRET, `v0:${timestamp}:`, body)}`,
  });
  let n = 0;
  const challenge = () => JSON.stringify({ type: 'url_verification', challenge: `c${++n}`, token: 'x' });

  it('refuses a request stamped more than 5 minutes ahead (Bolt bounds only the past) or behind', async () => {
    for (const offset of [6 * 60, 60 * 60 * 24 * 365, -6 * 60]) {
      const body = challenge();
      const refused = await send(body, signed(body, String(nowS() + offset)));
      assert.equal(refused.status, 401, String(offset));
      assert.match(refused.error, /X-Slack-Request-Timestamp .* more than 5 minutes from now/);
    }
  });

  it('refuses a missing or non-numeric timestamp, naming the header', async () => {
    const body = challenge();
    const noStamp = await send(body, { 'x-slack-signature': signed(body)['x-slack-signature'] });
    assert.equal(noStamp.status, 401);
    assert.match(noStamp.error, /Missing X-Slack-Request-Timestamp/);
    const nan = await send(body, signed(body, 'NaN'));
    assert.equal(nan.status, 401);
    assert.match(nan.error, /X-Slack-Request-Timestamp must be Unix seconds/);
  });

  it('takes a signed request once: the same request again within the window is refused with 409', async () => {
    const body = challenge();
    const headers = signed(body);
    const first = await send(body, headers);
    assert.equal(first.status, 200, first.error);
    const replay = await send(body, headers);
    assert.equal(replay.status, 409);
    assert.match(replay.error, /already received: a replay/);
  });

  it('refuses a valid signature with bytes appended or in upper case', async () => {
    const body = challenge();
    const headers = signed(body);
    const valid = headers['x-slack-signature'];
    for (const malleated of [`${valid}zz`, `${valid}00`, `v0=${valid.slice(3).toUpperCase()}`]) {
      const refused = await send(body, { ...headers, 'x-slack-signature': malleated });
      assert.equal(refused.status, 401, malleated);
      assert.match(refused.error, /X-Slack-Signature does not match/);
    }
  });

  it('verifies the bytes as sent: a body that is not UTF-8 signed as its decoded text does not pass', async () => {
    const raw = Buffer.concat([
      Buffer.from('{"type":"url_verification","challenge":"'),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]);
    const timestamp = String(nowS());
    const overText = `v0=${hmac(SLACK_SECRET, `v0:${timestamp}:`, raw.toString('utf8'))}`;
    const response = await fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': overText,
      },
      body: raw,
    });
    assert.equal(response.status, 401);
  });

  it('answers 400, never 500, to signed bodies of no shape Slack sends', async () => {
    const cases: [string, string][] = [
      ['null', 'application/json'],
      ['[]', 'application/json'],
      ['5', 'application/json'],
      ['{}', 'application/json'],
      ['{"type": "event_callback"}', 'application/json'],
      ['{"type": "event_callback", "event": null}', 'application/json'],
      ['{"type": "url_verification"}', 'application/json'],
      ['payload=null', 'application/x-www-form-urlencoded'],
      ['payload=%5B%5D', 'application/x-www-form-urlencoded'],
      ['payload=%7B%22type%22%3A%22block_actions%22%7D', 'application/x-www-form-urlencoded'],
      ['payload=a&payload=b', 'application/x-www-form-urlencoded'],
      ['text=declare', 'application/x-www-form-urlencoded'],
    ];
    for (const [body, contentType] of cases) {
      const answer = await send(body, signed(body), contentType);
      assert.equal(answer.status, 400, `${body}: ${answer.error}`);
      assert.match(answer.error, /Unreadable Slack request body/);
    }
    const unknownEvent = JSON.stringify({
      type: 'event_callback',
      event: { type: 'reaction_added' },
      team_id: 'T0TEST',
    });
    assert.equal((await send(unknownEvent, signed(unknownEvent))).status, 200, 'a well-formed event nobody listens to');
  });
});
