import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiGatewayV2Event, handler as LambdaHandler } from '../app/alerts/lambda.js';
import { eventually } from './support/eventually.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const TOKEN = 'lambda-alert-token-0123';
let harness: TemporalHarness;
let handler: typeof LambdaHandler;

before(async () => {
  harness = await startTemporalHarness();
  // As the function's configuration would set them.
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: harness.temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: harness.taskQueue,
    ALERT_WEBHOOK_TOKEN: TOKEN,
    RUNBOOKS_DIR: harness.runbooks.dir,
  });
  ({ handler } = await import('../app/alerts/lambda.js'));
});
after(() => harness?.stop());

const event = (body: unknown, headers: Record<string, string>): ApiGatewayV2Event => ({
  rawPath: '/webhooks/generic',
  pathParameters: { source: 'generic' },
  headers,
  body: Buffer.from(JSON.stringify(body)).toString('base64'),
  isBase64Encoded: true,
});

describe('the alert webhook as an AWS Lambda (API Gateway v2 events)', () => {
  it('opens the incident from a generic alert, and refuses a wrong token and a bad payload', async () => {
    const alert = {
      alerts: [
        {
          status: 'firing',
          id: 'spend-1',
          labels: { alertname: 'TokenSpendSpike', severity: 'P2', category: 'unbounded-consumption' },
          annotations: { summary: 'Spend 5x forecast' },
        },
      ],
    };
    const refused = await handler(event(alert, { Authorization: 'Bearer wrong' }));
    assert.equal(refused.statusCode, 401);
    const invalid = await handler(event({ alerts: 'none' }, { Authorization: `Bearer ${TOKEN}` }));
    assert.equal(invalid.statusCode, 400);
    assert.match(JSON.parse(invalid.body).error, /alerts/);

    const accepted = await handler(event(alert, { Authorization: `Bearer ${TOKEN}` }));
    assert.equal(accepted.statusCode, 202, accepted.body);
    assert.equal(JSON.parse(accepted.body).accepted, 1);
    const service = harness.service();
    const [opened] = await eventually(
      () => service.list({ includeClosed: true }),
      (list) => list.length === 1,
      'the incident',
    );
    const state = await eventually(
      () => service.get(opened!.id),
      (s) => s.status === 'triaging',
      'triage',
    );
    assert.deepEqual([state.runbook?.id, state.severity, state.declaredBy], ['unbounded-consumption', 'P2', 'generic']);
  });
});
