import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelsFingerprint } from '../integrations/alerts/alert.js';
import { DATADOG_PAYLOAD_TEMPLATE } from '../integrations/alerts/datadog.js';
import { GENERIC_ALERT_JSON_SCHEMA } from '../integrations/alerts/generic.js';
import {
  ALERT_SOURCES,
  AlertPayloadInvalid,
  parseAlerts,
  parseJsonBody,
  type AlertSource,
} from '../integrations/alerts/parse.js';

const receivedAt = '2026-03-02T14:05:00.000Z';

/** Parses `body` (a JSON text, as it arrives) and returns the AlertPayloadInvalid it must throw. */
function rejection(source: AlertSource, body: unknown): AlertPayloadInvalid {
  try {
    parseAlerts(source, typeof body === 'string' ? parseJsonBody(body) : body, receivedAt);
  } catch (err) {
    assert.ok(err instanceof AlertPayloadInvalid, `expected AlertPayloadInvalid, got ${String(err)}`);
    assert.equal(err.name, 'AlertPayloadInvalid');
    assert.equal(err.message, err.issues.join('\n'));
    return err;
  }
  assert.fail(`${source} accepted an invalid payload`);
}

/** What Alertmanager 0.27 POSTs for a group of two firing alerts (webhook_config, version 4). */
const alertmanagerFiring = `{
  "receiver": "incident-response",
  "status": "firing",
  "alerts": [
    {
      "status": "firing",
      "labels": { "alertname": "JailbreakSuccessRateHigh", "model": "chat-v7", "region": "eu-west-1", "service": "assistant", "severity": "critical" },
      "annotations": {
        "summary": "Jailbreak success rate above 2% on chat-v7",
        "description": "3.4% of red-team probes succeeded in the last 10m.",
        "runbook_url": "https://runbooks.example.com/jailbreak"
      },
      "startsAt": "2026-03-02T15:03:26.739266876+01:00",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "http://prometheus.example.internal:9090/graph?g0.expr=jailbreak_success_ratio+%3E+0.02\\u0026g0.tab=1",
      "fingerprint": "3f1d2c9a8b7e6d50"
    },
    {
      "status": "firing",
      "labels": { "alertname": "JailbreakSuccessRateHigh", "model": "chat-v7", "region": "us-east-1", "service": "assistant", "severity": "critical" },
      "annotations": { "summary": "Jailbreak success rate above 2% on chat-v7" },
      "startsAt": "2026-03-02T14:04:11.2Z",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "",
      "fingerprint": "9a0b1c2d3e4f5a6b"
    }
  ],
  "groupLabels": { "alertname": "JailbreakSuccessRateHigh" },
  "commonLabels": { "alertname": "JailbreakSuccessRateHigh", "model": "chat-v7", "service": "assistant", "severity": "critical" },
  "commonAnnotations": { "summary": "Jailbreak success rate above 2% on chat-v7" },
  "externalURL": "http://alertmanager.example.internal:9093",
  "version": "4",
  "groupKey": "{}/{severity=\\"critical\\"}:{alertname=\\"JailbreakSuccessRateHigh\\"}",
  "truncatedAlerts": 0
}`;

const alertmanagerResolved = `{
  "receiver": "incident-response",
  "status": "resolved",
  "alerts": [
    {
      "status": "resolved",
      "labels": { "alertname": "JailbreakSuccessRateHigh", "model": "chat-v7", "region": "eu-west-1", "service": "assistant", "severity": "critical" },
      "annotations": { "summary": "Jailbreak success rate above 2% on chat-v7" },
      "startsAt": "2026-03-02T15:03:26.739266876+01:00",
      "endsAt": "2026-03-02T15:41:56.739266876+01:00",
      "generatorURL": "http://prometheus.example.internal:9090/graph?g0.expr=jailbreak_success_ratio+%3E+0.02\\u0026g0.tab=1",
      "fingerprint": "3f1d2c9a8b7e6d50"
    }
  ],
  "groupLabels": { "alertname": "JailbreakSuccessRateHigh" },
  "commonLabels": { "alertname": "JailbreakSuccessRateHigh", "model": "chat-v7", "region": "eu-west-1", "service": "assistant", "severity": "critical" },
  "commonAnnotations": { "summary": "Jailbreak success rate above 2% on chat-v7" },
  "externalURL": "http://alertmanager.example.internal:9093",
  "version": "4",
  "groupKey": "{}/{severity=\\"critical\\"}:{alertname=\\"JailbreakSuccessRateHigh\\"}",
  "truncatedAlerts": 0
}`;

const alertmanagerGroupKey = '{}/{severity="critical"}:{alertname="JailbreakSuccessRateHigh"}';
const generatorURL = 'http://prometheus.example.internal:9090/graph?g0.expr=jailbreak_success_ratio+%3E+0.02&g0.tab=1';

describe('Alertmanager', () => {
  it('normalizes a firing group of two alerts', () => {
    assert.deepEqual(parseAlerts('alertmanager', parseJsonBody(alertmanagerFiring), receivedAt), {
      source: 'alertmanager',
      receivedGroupKey: alertmanagerGroupKey,
      alerts: [
        {
          source: 'alertmanager',
          status: 'firing',
          fingerprint: '3f1d2c9a8b7e6d50',
          groupKey: alertmanagerGroupKey,
          labels: {
            alertname: 'JailbreakSuccessRateHigh',
            model: 'chat-v7',
            region: 'eu-west-1',
            service: 'assistant',
            severity: 'critical',
          },
          annotations: {
            summary: 'Jailbreak success rate above 2% on chat-v7',
            description: '3.4% of red-team probes succeeded in the last 10m.',
            runbook_url: 'https://runbooks.example.com/jailbreak',
          },
          title: 'JailbreakSuccessRateHigh: Jailbreak success rate above 2% on chat-v7',
          startsAt: '2026-03-02T14:03:26.739Z',
          url: generatorURL,
        },
        {
          source: 'alertmanager',
          status: 'firing',
          fingerprint: '9a0b1c2d3e4f5a6b',
          groupKey: alertmanagerGroupKey,
          labels: {
            alertname: 'JailbreakSuccessRateHigh',
            model: 'chat-v7',
            region: 'us-east-1',
            service: 'assistant',
            severity: 'critical',
          },
          annotations: { summary: 'Jailbreak success rate above 2% on chat-v7' },
          title: 'JailbreakSuccessRateHigh: Jailbreak success rate above 2% on chat-v7',
          startsAt: '2026-03-02T14:04:11.200Z',
        },
      ],
    });
  });

  it('normalizes a resolved alert with its end time', () => {
    assert.deepEqual(parseAlerts('alertmanager', parseJsonBody(alertmanagerResolved), receivedAt), {
      source: 'alertmanager',
      receivedGroupKey: alertmanagerGroupKey,
      alerts: [
        {
          source: 'alertmanager',
          status: 'resolved',
          fingerprint: '3f1d2c9a8b7e6d50',
          groupKey: alertmanagerGroupKey,
          labels: {
            alertname: 'JailbreakSuccessRateHigh',
            model: 'chat-v7',
            region: 'eu-west-1',
            service: 'assistant',
            severity: 'critical',
          },
          annotations: { summary: 'Jailbreak success rate above 2% on chat-v7' },
          title: 'JailbreakSuccessRateHigh: Jailbreak success rate above 2% on chat-v7',
          startsAt: '2026-03-02T14:03:26.739Z',
          endsAt: '2026-03-02T14:41:56.739Z',
          url: generatorURL,
        },
      ],
    });
  });

  it("never reports Go's zero time as an end", () => {
    const payload = JSON.parse(alertmanagerResolved);
    payload.alerts[0].endsAt = '0001-01-01T00:00:00Z';
    const [alert] = parseAlerts('alertmanager', payload, receivedAt).alerts;
    assert.equal(alert!.status, 'resolved');
    assert.equal('endsAt' in alert!, false);
  });

  it('gives alerts from older Alertmanagers, which send no fingerprint, one from their labels regardless of order', () => {
    const withoutFingerprint = (labels: Record<string, string>) => {
      const payload = JSON.parse(alertmanagerFiring);
      const { fingerprint: _omitted, ...alert } = payload.alerts[0];
      payload.alerts = [{ ...alert, labels }];
      return parseAlerts('alertmanager', payload, receivedAt).alerts[0]!.fingerprint;
    };
    const fingerprint = withoutFingerprint({ alertname: 'JailbreakSuccessRateHigh', region: 'eu-west-1' });
    assert.match(fingerprint, /^[0-9a-f]{16}$/);
    assert.equal(withoutFingerprint({ region: 'eu-west-1', alertname: 'JailbreakSuccessRateHigh' }), fingerprint);
    assert.notEqual(withoutFingerprint({ alertname: 'JailbreakSuccessRateHigh', region: 'us-east-1' }), fingerprint);
  });

  it('refuses a payload without alerts, naming the field', () => {
    const payload = JSON.parse(alertmanagerFiring);
    delete payload.alerts;
    assert.deepEqual(rejection('alertmanager', payload).issues, [
      'alerts: Invalid input: expected array, received undefined',
    ]);
  });

  it('refuses labels that are not a map of strings, naming each path', () => {
    const payload = JSON.parse(alertmanagerFiring);
    payload.alerts[0].labels = 'alertname=JailbreakSuccessRateHigh';
    payload.alerts[1].labels['app.kubernetes.io/name'] = 7;
    assert.deepEqual(rejection('alertmanager', payload).issues, [
      'alerts[0].labels: Invalid input: expected record, received string',
      'alerts[1].labels["app.kubernetes.io/name"]: Invalid input: expected string, received number',
    ]);
  });

  it('refuses a missing or different payload version', () => {
    const missing = JSON.parse(alertmanagerFiring);
    delete missing.version;
    assert.deepEqual(rejection('alertmanager', missing).issues, ['version: Invalid input: expected "4"']);
    assert.deepEqual(rejection('alertmanager', alertmanagerFiring.replace('"version": "4"', '"version": "3"')).issues, [
      'version: Invalid input: expected "4"',
    ]);
  });

  it('lists every problem, one line each', () => {
    const error = rejection('alertmanager', {
      version: '4',
      status: 'burning',
      alerts: [{ status: 'firing', labels: {} }],
    });
    assert.deepEqual(error.issues, [
      'groupKey: Invalid input: expected string, received undefined',
      'status: Invalid option: expected one of "firing"|"resolved"',
      'alerts[0].annotations: Invalid input: expected record, received undefined',
      'alerts[0].startsAt: Invalid input: expected string, received undefined',
      'alerts[0].endsAt: Invalid input: expected string, received undefined',
      'alerts[0].generatorURL: Invalid input: expected string, received undefined',
    ]);
    assert.equal(error.message.split('\n').length, 6);
  });

  it('refuses a body that is not an object', () => {
    assert.deepEqual(rejection('alertmanager', '"firing"').issues, [
      'body: Invalid input: expected object, received string',
    ]);
  });
});

/** What Grafana 11 unified alerting POSTs to a webhook contact point. */
const grafanaPayload = `{
  "receiver": "incident-response",
  "status": "firing",
  "orgId": 1,
  "alerts": [
    {
      "status": "firing",
      "labels": { "alertname": "PII in retrieval results", "grafana_folder": "AI safety", "index": "support-kb", "team": "search" },
      "annotations": { "summary": "Retrieved chunks contain e-mail addresses", "runbook_url": "https://runbooks.example.com/pii-leak" },
      "startsAt": "2026-03-02T15:01:00+01:00",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "https://grafana.example.com/alerting/grafana/edn9qk0pa3b40e/view?orgId=1",
      "fingerprint": "c6eadffa33fcdf37",
      "silenceURL": "https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matcher=__alert_rule_uid__%3Dedn9qk0pa3b40e&orgId=1",
      "dashboardURL": "https://grafana.example.com/d/rag-safety?orgId=1",
      "panelURL": "https://grafana.example.com/d/rag-safety?orgId=1&viewPanel=4",
      "values": { "A": 17, "C": 1 },
      "valueString": "[ var='A' labels={index=support-kb} value=17 ], [ var='C' labels={index=support-kb} value=1 ]"
    },
    {
      "status": "resolved",
      "labels": { "alertname": "PII in retrieval results", "grafana_folder": "AI safety", "index": "billing-kb", "team": "search" },
      "annotations": {},
      "startsAt": "2026-03-02T13:40:00Z",
      "endsAt": "2026-03-02T13:55:00Z",
      "generatorURL": "https://grafana.example.com/alerting/grafana/edn9qk0pa3b40e/view?orgId=1",
      "fingerprint": "bc97ff14869b13e3",
      "silenceURL": "https://grafana.example.com/alerting/silence/new?alertmanager=grafana&orgId=1",
      "dashboardURL": "",
      "panelURL": "",
      "values": null,
      "valueString": ""
    }
  ],
  "groupLabels": { "alertname": "PII in retrieval results", "grafana_folder": "AI safety" },
  "commonLabels": { "alertname": "PII in retrieval results", "grafana_folder": "AI safety", "team": "search" },
  "commonAnnotations": {},
  "externalURL": "https://grafana.example.com/",
  "version": "1",
  "groupKey": "{}/{__grafana_autogenerated__=\\"true\\"}:{alertname=\\"PII in retrieval results\\", grafana_folder=\\"AI safety\\"}",
  "truncatedAlerts": 0,
  "title": "[FIRING:1, RESOLVED:1] PII in retrieval results AI safety (search)",
  "state": "alerting",
  "message": "**Firing**\\n\\nValue: A=17, C=1\\n"
}`;

describe('Grafana', () => {
  const groupKey =
    '{}/{__grafana_autogenerated__="true"}:{alertname="PII in retrieval results", grafana_folder="AI safety"}';

  it('normalizes firing and resolved alerts, linking the panel when there is one', () => {
    assert.deepEqual(parseAlerts('grafana', parseJsonBody(grafanaPayload), receivedAt), {
      source: 'grafana',
      receivedGroupKey: groupKey,
      alerts: [
        {
          source: 'grafana',
          status: 'firing',
          fingerprint: 'c6eadffa33fcdf37',
          groupKey,
          labels: {
            alertname: 'PII in retrieval results',
            grafana_folder: 'AI safety',
            index: 'support-kb',
            team: 'search',
          },
          annotations: {
            summary: 'Retrieved chunks contain e-mail addresses',
            runbook_url: 'https://runbooks.example.com/pii-leak',
          },
          title: 'PII in retrieval results: Retrieved chunks contain e-mail addresses',
          startsAt: '2026-03-02T14:01:00.000Z',
          url: 'https://grafana.example.com/d/rag-safety?orgId=1&viewPanel=4',
        },
        {
          source: 'grafana',
          status: 'resolved',
          fingerprint: 'bc97ff14869b13e3',
          groupKey,
          labels: {
            alertname: 'PII in retrieval results',
            grafana_folder: 'AI safety',
            index: 'billing-kb',
            team: 'search',
          },
          annotations: {},
          title: 'PII in retrieval results',
          startsAt: '2026-03-02T13:40:00.000Z',
          endsAt: '2026-03-02T13:55:00.000Z',
          url: 'https://grafana.example.com/alerting/grafana/edn9qk0pa3b40e/view?orgId=1',
        },
      ],
    });
  });

  it('refuses an Alertmanager payload, naming what Grafana adds', () => {
    assert.deepEqual(rejection('grafana', alertmanagerFiring).issues, [
      'version: Invalid input: expected "1"',
      'orgId: Invalid input: expected number, received undefined',
      'alerts[0].silenceURL: Invalid input: expected string, received undefined',
      'alerts[0].dashboardURL: Invalid input: expected string, received undefined',
      'alerts[0].panelURL: Invalid input: expected string, received undefined',
      'alerts[1].silenceURL: Invalid input: expected string, received undefined',
      'alerts[1].dashboardURL: Invalid input: expected string, received undefined',
      'alerts[1].panelURL: Invalid input: expected string, received undefined',
    ]);
  });

  it('refuses a Grafana payload on the Alertmanager route', () => {
    assert.deepEqual(rejection('alertmanager', grafanaPayload).issues, ['version: Invalid input: expected "4"']);
  });
});

/** DATADOG_PAYLOAD_TEMPLATE as Datadog renders it: every $VARIABLE replaced, values JSON-escaped. */
function renderDatadog(variables: Record<string, string>): string {
  return DATADOG_PAYLOAD_TEMPLATE.replace(/\$[A-Z_]+/g, (name) => {
    const value = variables[name.slice(1)];
    assert.ok(value !== undefined, `the test gives no value for ${name}`);
    return JSON.stringify(value).slice(1, -1);
  });
}

const datadogTrigger = {
  ALERT_ID: '4821937',
  ALERT_CYCLE_KEY: '7152294382165313004',
  AGGREG_KEY: '8f0e2c5b1a9d4e6f7a8b9c0d1e2f3a4b',
  ALERT_TRANSITION: 'Triggered',
  EVENT_TITLE: '[P1] [Triggered on {model:chat-v7,service:assistant}] Harmful output rate high',
  ALERT_STATUS:
    'ai.moderation.flagged_rate over model:chat-v7,service:assistant was > 0.02 on average during the last 5m.',
  TEXT_ONLY_MSG:
    'Flagged output rate is 3.4% for chat-v7.\nRunbook: https://runbooks.example.com/harmful-output "harmful-output" @webhook-incident-response',
  ALERT_PRIORITY: 'P1',
  ALERT_SCOPE: 'service:assistant, model:chat-v7',
  TAGS: 'monitor, team:trust-safety, env:prod, owner:https://wiki.example.com/ts',
  LINK: 'https://app.datadoghq.com/event/jump_to?event_id=7152294382165313004',
  DATE: '1772460206000',
};

describe('Datadog', () => {
  const labels = {
    monitor: '',
    team: 'trust-safety',
    env: 'prod',
    owner: 'https://wiki.example.com/ts',
    model: 'chat-v7',
    service: 'assistant',
    monitor_id: '4821937',
    priority: 'P1',
  };

  it('normalizes a trigger rendered from our template', () => {
    assert.deepEqual(parseAlerts('datadog', parseJsonBody(renderDatadog(datadogTrigger)), receivedAt), {
      source: 'datadog',
      receivedGroupKey: '7152294382165313004',
      alerts: [
        {
          source: 'datadog',
          status: 'firing',
          fingerprint: '4821937:model:chat-v7,service:assistant',
          groupKey: '7152294382165313004',
          labels,
          annotations: {
            summary:
              'ai.moderation.flagged_rate over model:chat-v7,service:assistant was > 0.02 on average during the last 5m.',
            description:
              'Flagged output rate is 3.4% for chat-v7.\nRunbook: https://runbooks.example.com/harmful-output "harmful-output" @webhook-incident-response',
          },
          title: '[P1] [Triggered on {model:chat-v7,service:assistant}] Harmful output rate high',
          startsAt: '2026-03-02T14:03:26.000Z',
          url: 'https://app.datadoghq.com/event/jump_to?event_id=7152294382165313004',
        },
      ],
    });
  });

  it('normalizes the recovery into the same group and fingerprint', () => {
    const recovery = renderDatadog({
      ...datadogTrigger,
      ALERT_TRANSITION: 'Recovered',
      EVENT_TITLE: '[P1] [Recovered on {model:chat-v7,service:assistant}] Harmful output rate high',
      ALERT_STATUS: '',
      TEXT_ONLY_MSG: '',
      ALERT_SCOPE: 'model:chat-v7,service:assistant',
      DATE: '1772461826000',
    });
    assert.deepEqual(parseAlerts('datadog', parseJsonBody(recovery), receivedAt), {
      source: 'datadog',
      receivedGroupKey: '7152294382165313004',
      alerts: [
        {
          source: 'datadog',
          status: 'resolved',
          fingerprint: '4821937:model:chat-v7,service:assistant',
          groupKey: '7152294382165313004',
          labels,
          annotations: {},
          title: '[P1] [Recovered on {model:chat-v7,service:assistant}] Harmful output rate high',
          startsAt: '2026-03-02T14:30:26.000Z',
          endsAt: '2026-03-02T14:30:26.000Z',
          url: 'https://app.datadoghq.com/event/jump_to?event_id=7152294382165313004',
        },
      ],
    });
  });

  it('treats warnings, no data and re-notifications as firing', () => {
    for (const transition of ['Re-Triggered', 'Warn', 'Re-Warn', 'No Data', 'Re-No Data', 'Renotify']) {
      const batch = parseAlerts(
        'datadog',
        parseJsonBody(renderDatadog({ ...datadogTrigger, ALERT_TRANSITION: transition })),
        receivedAt,
      );
      assert.equal(batch.alerts[0]!.status, 'firing', transition);
    }
  });

  it('groups by the aggregation key when the cycle key is empty, and fingerprints a simple monitor by its id', () => {
    const batch = parseAlerts(
      'datadog',
      parseJsonBody(renderDatadog({ ...datadogTrigger, ALERT_CYCLE_KEY: '', ALERT_SCOPE: '' })),
      receivedAt,
    );
    assert.equal(batch.receivedGroupKey, '8f0e2c5b1a9d4e6f7a8b9c0d1e2f3a4b');
    assert.equal(batch.alerts[0]!.groupKey, '8f0e2c5b1a9d4e6f7a8b9c0d1e2f3a4b');
    assert.equal(batch.alerts[0]!.fingerprint, '4821937');
  });

  it('refuses an unknown transition and a date that is not epoch milliseconds', () => {
    const body = renderDatadog({ ...datadogTrigger, ALERT_TRANSITION: 'Acknowledged', DATE: '2026-03-02T14:03:26Z' });
    assert.deepEqual(rejection('datadog', body).issues, [
      'transition: Invalid option: expected one of "Triggered"|"Re-Triggered"|"Warn"|"Re-Warn"|"No Data"|"Re-No Data"|"Renotify"|"Recovered"',
      'date: expected epoch milliseconds, as $DATE renders them',
    ]);
  });

  it('refuses a payload that is not our template', () => {
    assert.deepEqual(rejection('datadog', { title: 'CPU high', tags: ['env:prod'] }).issues, [
      'alert_id: Invalid input: expected string, received undefined',
      'cycle_key: Invalid input: expected string, received undefined',
      'transition: Invalid option: expected one of "Triggered"|"Re-Triggered"|"Warn"|"Re-Warn"|"No Data"|"Re-No Data"|"Renotify"|"Recovered"',
      'tags: Invalid input: expected string, received array',
      'date: Invalid input: expected string, received undefined',
    ]);
  });
});

describe('generic', () => {
  const body = {
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'PromptInjectionSpike', service: 'agent', severity: 'high' },
        annotations: { summary: 'Tool calls blocked by the injection filter tripled' },
      },
      {
        status: 'resolved',
        id: 'abuse-campaign-42',
        groupKey: 'abuse/signup',
        labels: { service: 'signup' },
        title: 'Abuse campaign\non sign-up',
        startsAt: '2026-03-02T12:00:00+01:00',
        url: 'https://abuse.example.com/campaigns/42',
        reporter: 'abuse-detector',
      },
    ],
  };

  it('normalizes alerts, filling in what the sender left out', () => {
    assert.deepEqual(parseAlerts('generic', body, receivedAt), {
      source: 'generic',
      alerts: [
        {
          source: 'generic',
          status: 'firing',
          fingerprint: labelsFingerprint({ alertname: 'PromptInjectionSpike', service: 'agent', severity: 'high' }),
          labels: { alertname: 'PromptInjectionSpike', service: 'agent', severity: 'high' },
          annotations: { summary: 'Tool calls blocked by the injection filter tripled' },
          title: 'PromptInjectionSpike: Tool calls blocked by the injection filter tripled',
          startsAt: receivedAt,
        },
        {
          source: 'generic',
          status: 'resolved',
          fingerprint: 'abuse-campaign-42',
          groupKey: 'abuse/signup',
          labels: { service: 'signup' },
          annotations: {},
          title: 'Abuse campaign on sign-up',
          startsAt: '2026-03-02T11:00:00.000Z',
          endsAt: receivedAt,
          url: 'https://abuse.example.com/campaigns/42',
        },
      ],
    });
  });

  it('refuses a payload without alerts, wrongly typed fields and non-web links', () => {
    assert.deepEqual(rejection('generic', '{"alert": {}}').issues, [
      'alerts: Invalid input: expected array, received undefined',
    ]);
    assert.deepEqual(rejection('generic', { alerts: [] }).issues, [
      'alerts: Too small: expected array to have >=1 items',
    ]);
    assert.deepEqual(
      rejection('generic', {
        alerts: [
          { status: 'open', labels: 'service=agent', startsAt: 'yesterday', url: 'javascript:alert(1)' },
          { status: 'firing', labels: { severity: 2 } },
        ],
      }).issues,
      [
        'alerts[0].status: Invalid option: expected one of "firing"|"resolved"',
        'alerts[0].labels: Invalid input: expected record, received string',
        'alerts[0].startsAt: Invalid ISO datetime',
        'alerts[0].url: Invalid URL',
        'alerts[1].labels.severity: Invalid input: expected string, received number',
      ],
    );
  });

  it('publishes its JSON schema', () => {
    const schema = JSON.parse(JSON.stringify(GENERIC_ALERT_JSON_SCHEMA));
    assert.equal(schema.title, 'Generic alert webhook payload');
    assert.deepEqual(schema.properties.alerts.items.required, ['status', 'labels']);
    assert.deepEqual(Object.keys(schema.properties.alerts.items.properties), [
      'status',
      'id',
      'groupKey',
      'labels',
      'annotations',
      'title',
      'startsAt',
      'endsAt',
      'url',
    ]);
  });
});

describe('parseJsonBody and parseAlerts', () => {
  it('refuses malformed JSON', () => {
    for (const raw of ['{"alerts": [', Buffer.from(''), 'version=4']) {
      assert.throws(
        () => parseJsonBody(raw),
        (err: unknown) =>
          err instanceof AlertPayloadInvalid && err.issues.length === 1 && /^body is not JSON: .+/.test(err.message),
      );
    }
  });

  it('reads a Buffer as UTF-8', () => {
    assert.deepEqual(parseJsonBody(Buffer.from('{"summary":"Modèle dégradé"}')), { summary: 'Modèle dégradé' });
  });

  it('dispatches to every source', () => {
    const bodies: Record<AlertSource, string> = {
      alertmanager: alertmanagerFiring,
      grafana: grafanaPayload,
      datadog: renderDatadog(datadogTrigger),
      generic: JSON.stringify({ alerts: [{ status: 'firing', labels: { alertname: 'x' } }] }),
    };
    assert.deepEqual([...ALERT_SOURCES], ['alertmanager', 'grafana', 'datadog', 'generic']);
    for (const source of ALERT_SOURCES) {
      const batch = parseAlerts(source, parseJsonBody(bodies[source]), receivedAt);
      assert.equal(batch.source, source);
      assert.ok(batch.alerts.every((alert) => alert.source === source));
    }
  });
});
