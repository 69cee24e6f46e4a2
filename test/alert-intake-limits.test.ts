// The alert intake cannot be jammed (issue 18): incidents open as workflows of their own, so an intake
// with more new groups than Temporal allows pending children still opens every one (the limit is
// lowered here to 20 to reach it quickly); a request over the per-request limits is a 4xx naming the
// limit, never a 503 retried forever; a source past its rate of new groups folds them into one flood
// incident instead of opening one each.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAlertWebhook, type AlertWebhook } from '../app/alerts/alert-webhook.js';
import { FloodGuard } from '../app/alerts/flood.js';
import { ALERT_LIMITS } from '../app/alerts/limits.js';
import { alertIntakeWorkflowId } from '../app/alerts/routing.js';
import { IncidentService } from '../app/incident-service.js';
import { alertGroupQuery } from '../workflows/messages.js';
import { eventually } from './support/eventually.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const PENDING_CHILDREN_LIMIT = 20;
let harness: TemporalHarness;
let service: IncidentService;
const webhookWith = (flood: FloodGuard): AlertWebhook =>
  createAlertWebhook({
    client: harness.client,
    taskQueue: harness.taskQueue,
    runbooks: harness.runbooks,
    loopbackOnly: true,
    commander: 'alice',
    flood,
  });

before(async () => {
  harness = await startTemporalHarness({
    dynamicConfig: { 'limit.numPendingChildExecutions.error': PENDING_CHILDREN_LIMIT },
  });
  service = harness.service();
});
after(() => harness?.stop());

const alertsBody = (groupKeys: string[], labels: Record<string, string> = {}) =>
  Buffer.from(
    JSON.stringify({
      alerts: groupKeys.map((groupKey) => ({
        status: 'firing',
        id: groupKey,
        groupKey,
        labels: { alertname: 'ToolCallSpike', severity: 'P3', ...labels },
        annotations: { summary: 'send_email calls at 9x baseline' },
      })),
    }),
  );

function keysOfOneShard(prefix: string, n: number): string[] {
  const keys: string[] = [];
  const shard = alertIntakeWorkflowId(`${prefix}-0`);
  for (let i = 0; keys.length < n; i++)
    if (alertIntakeWorkflowId(`${prefix}-${i}`) === shard) keys.push(`${prefix}-${i}`);
  return keys;
}

const incidentOf = (groupKey: string) =>
  harness.client.workflow
    .getHandle(alertIntakeWorkflowId(groupKey))
    .query(alertGroupQuery, groupKey)
    .then((g) => g?.incidentId);

describe('an alert intake that cannot be jammed', () => {
  it(`opens an incident for each of ${PENDING_CHILDREN_LIMIT * 6} new groups of one shard, past the pending-children limit, and later alerts still open theirs`, async () => {
    const webhook = webhookWith(new FloodGuard(10_000));
    const keys = keysOfOneShard('jam', PENDING_CHILDREN_LIMIT * 6);
    const answer = await webhook('generic', {}, alertsBody(keys));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    await eventually(
      async () => (await Promise.all(keys.map(incidentOf))).filter(Boolean).length,
      (opened) => opened === keys.length,
      'every group has its incident',
      120_000,
    );
    const ids = new Set(await Promise.all(keys.map(incidentOf)));
    assert.equal(ids.size, keys.length, 'one incident per group');
    const [later] = keysOfOneShard('after-jam', 1) as [string];
    assert.equal((await webhook('generic', {}, alertsBody([later]))).status, 202);
    const opened = await eventually(() => incidentOf(later), Boolean, 'a later group opens its incident');
    assert.equal((await service.get(opened!)).status, 'triaging');
  });

  it('refuses a request over the limits with a 4xx naming the limit, and starts nothing', async () => {
    const webhook = webhookWith(new FloodGuard(10_000));
    const tooMany = await webhook(
      'generic',
      {},
      alertsBody(Array.from({ length: ALERT_LIMITS.groupsPerRequest + 1 }, (_, i) => `many-${i}`)),
    );
    assert.equal(tooMany.status, 413);
    assert.match(
      JSON.stringify(tooMany.body),
      new RegExp(`at most ${ALERT_LIMITS.groupsPerRequest} alert groups per request`),
    );
    const huge = await webhook('generic', {}, alertsBody(['poison'], { detail: 'x'.repeat(900_000) }));
    assert.equal(huge.status, 400, 'a poison label is the sender’s to fix: never a 503 retried forever');
    assert.match(JSON.stringify(huge.body), /alerts\[0\]\.labels\.detail: longer than 1024 characters/);
    assert.equal(await incidentOf('poison').catch(() => undefined), undefined);
    assert.equal(await incidentOf('many-0').catch(() => undefined), undefined);
  });

  it('folds new groups past the per-source rate into one flood incident, losing no alert', async () => {
    const webhook = webhookWith(new FloodGuard(3));
    const keys = Array.from({ length: 10 }, (_, i) => `flood-test-${i}`);
    assert.equal((await webhook('datadog-like', {}, alertsBody(keys))).status, 404, 'unknown source');
    const answer = await webhook('generic', {}, alertsBody(keys));
    assert.equal(answer.status, 202);
    const groups = (answer.body as { groups: { groupKey: string; alerts: number }[] }).groups;
    assert.equal(groups.length, 4, 'three groups of their own, and the flood');
    const flood = groups.find((g) => g.groupKey === 'flood:generic')!;
    assert.equal(flood.alerts, 7, 'the seven others, none dropped');
    const incident = await eventually(
      async () => {
        const id = await incidentOf('flood:generic');
        return id ? service.get(id) : undefined;
      },
      (state) => state?.alerts?.received === 7,
      'the flood incident has every alert',
    );
    assert.match(incident!.title, /^Alert flood from generic: more than 3 new alert groups a minute$/);
    assert.ok(
      Object.keys(incident!.alerts!.byFingerprint).every((fingerprint) => fingerprint.startsWith('flood-test-')),
      'each alert names its group',
    );
  });
});
