// The alert intake on a real dev server: concurrent requests share signals, an open incident gets its
// repeats in paced batches, and a firing after the incident closed (or its workflow ended) opens a new
// incident marked a repeat.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAlertWebhook, type AlertWebhook } from '../app/alerts/alert-webhook.js';
import { alertIntakeWorkflowId } from '../app/alerts/routing.js';
import { IncidentService } from '../app/incident-service.js';
import { alertIntakeWorkflow, forwardInterval } from '../workflows/alert-intake.js';
import { alertGroupQuery, type AlertRouting } from '../workflows/messages.js';
import { eventually } from './support/eventually.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

let harness: TemporalHarness;
let webhook: AlertWebhook;
let service: IncidentService;

before(async () => {
  harness = await startTemporalHarness();
  webhook = createAlertWebhook({
    client: harness.client,
    taskQueue: harness.taskQueue,
    runbooks: harness.runbooks,
    loopbackOnly: true,
    commander: 'alice',
  });
  service = harness.service();
});
after(() => harness?.stop());

const alertBody = (groupKey: string, status: 'firing' | 'resolved' = 'firing') =>
  Buffer.from(
    JSON.stringify({
      alerts: [
        {
          status,
          id: groupKey,
          groupKey,
          labels: { alertname: 'ToolCallSpike', severity: 'P3' },
          annotations: { summary: 'send_email calls at 9x baseline' },
        },
      ],
    }),
  );

async function send(groupKey: string, status: 'firing' | 'resolved' = 'firing'): Promise<void> {
  const answer = await webhook('generic', {}, alertBody(groupKey, status));
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
}

const group = (groupKey: string) =>
  harness.client.workflow.getHandle(alertIntakeWorkflowId(groupKey)).query(alertGroupQuery, groupKey);
const incidentOf = async (groupKey: string) =>
  (await eventually(
    () => group(groupKey),
    (g) => g?.incidentId !== undefined,
    `the incident of ${groupKey}`,
  ))!.incidentId!;

/** How many signals named `name` a workflow's history holds. */
async function signals(workflowId: string, name: string): Promise<number> {
  const { events } = await harness.client.workflow.getHandle(workflowId).fetchHistory();
  return events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === name).length;
}

/** Group keys that share one intake shard, none used before. */
function keysOfOneShard(prefix: string, n: number): string[] {
  const keys: string[] = [];
  const shard = alertIntakeWorkflowId(`${prefix}-0`);
  for (let i = 0; keys.length < n; i++)
    if (alertIntakeWorkflowId(`${prefix}-${i}`) === shard) keys.push(`${prefix}-${i}`);
  return keys;
}

describe('the alert intake', () => {
  it("hands concurrent requests to Temporal in shared signals, and every alert reaches its own group's incident", async () => {
    const [a, b] = keysOfOneShard('concurrent', 2) as [string, string];
    const shard = alertIntakeWorkflowId(a);
    const before = await signals(shard, 'alert-batch').catch(() => 0);
    await Promise.all(Array.from({ length: 40 }, (_, i) => send(i % 2 ? a : b)));
    const sent = (await signals(shard, 'alert-batch')) - before;
    assert.ok(sent < 10, `40 requests took ${sent} signals`);
    const [incidentA, incidentB] = [await incidentOf(a), await incidentOf(b)];
    assert.notEqual(incidentA, incidentB, 'one incident per group');
    for (const id of [incidentA, incidentB]) {
      const state = await eventually(
        () => service.get(id),
        (s) => s.alerts?.received === 20,
        `20 alerts counted by ${id}`,
        15_000,
      );
      assert.equal(state.timeline.filter((e) => e.type === 'alert.firing').length, 1, 'repeats counted, not announced');
    }
    const groupA = await group(a);
    assert.equal(groupA?.received, 20);
  });

  it('forwards repeats to an open incident in batches, at most one per forward interval', async () => {
    const [key] = keysOfOneShard('paced', 1) as [string];
    await send(key);
    const id = await incidentOf(key);
    await send(key); // the first repeat goes at once
    await eventually(
      () => service.get(id),
      (s) => s.alerts?.received === 2,
      'the first repeat',
    );
    const started = Date.now();
    for (let i = 0; i < 10; i++) await send(key);
    assert.ok(Date.now() - started < forwardInterval(1), 'the ten were sent within one interval');
    await eventually(
      () => service.get(id),
      (s) => s.alerts?.received === 12,
      'all twelve counted',
      forwardInterval(1) + 10_000,
    );
    assert.equal(await signals(id, 'alerts'), 2, 'ten repeats in one interval reach the incident as one signal');
    const { events } = await harness.client.workflow.getHandle(id).fetchHistory();
    const last = events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'alerts').at(-1)!;
    const [payload] = last.workflowExecutionSignaledEventAttributes!.input!.payloads!;
    const { alerts } = JSON.parse(Buffer.from(payload!.data!).toString('utf8')) as { alerts: { count?: number }[] };
    assert.deepEqual(
      alerts.map((a) => a.count),
      [10],
      'as one entry counting ten notifications',
    );
  });

  it('opens a new incident, marked a repeat, for a firing after the incident closed', async () => {
    const [key] = keysOfOneShard('reopened', 1) as [string];
    await send(key);
    const first = await incidentOf(key);
    await eventually(
      () => service.get(first),
      (s) => s.status === 'triaging',
      'triage',
    );
    await service.resolve(first, 'alice', 'Tool calls back to baseline');
    await service.completePostmortem(first, 'alice');
    await eventually(
      () => group(key),
      (g) => g?.incidentId === undefined && g?.lastIncidentId === first,
      'the intake told of the closure',
    );

    await send(key);
    const second = await incidentOf(key);
    assert.notEqual(second, first);
    const state = await eventually(
      () => service.get(second),
      (s) => s.alerts?.received === 1,
      'the new incident',
    );
    assert.equal(state.repeatOf, first);
  });

  it("opens a new incident, marked a repeat, when the open one's workflow has ended", async () => {
    const [key] = keysOfOneShard('ended', 1) as [string];
    await send(key);
    const first = await incidentOf(key);
    await harness.client.workflow.getHandle(first).terminate('gone');
    await send(key);
    const second = await eventually(
      () => group(key),
      (g) => g?.incidentId !== undefined && g.incidentId !== first,
      'a new incident',
    );
    assert.equal(second?.lastIncidentId, first);
    assert.equal((await service.get(second.incidentId!)).repeatOf, first);
  });

  it('carries its groups and waiting alerts across continue-as-new', async () => {
    const [key] = keysOfOneShard('carried', 1) as [string];
    await send(key);
    const open = await incidentOf(key);
    const routing: AlertRouting = {
      runbookId: 'generic',
      severity: 'P3',
      category: 'other',
      title: 'carried',
      description: '',
      commander: 'alice',
      declaredBy: 'generic',
    };
    const alert = {
      fingerprint: key,
      status: 'firing' as const,
      title: 'ToolCallSpike',
      startsAt: new Date().toISOString(),
    };
    // The input a continue-as-new hands over: the group with its open incident, and alerts not yet forwarded.
    const handle = await harness.client.workflow.start(alertIntakeWorkflow, {
      workflowId: 'alert-intake-carried',
      taskQueue: harness.taskQueue,
      args: [
        {
          shard: 'alert-intake-carried',
          groups: { [key]: { incidentId: open, received: 3, forwards: 0 } },
          pending: [{ groupKey: key, routing, alerts: [alert, alert] }],
        },
      ],
    });
    await eventually(
      () => service.get(open),
      (s) => s.alerts?.received === 3,
      'the carried alerts forwarded to the open incident',
    );
    assert.deepEqual(await handle.query(alertGroupQuery, key), { groupKey: key, incidentId: open, received: 3 });
  });
});
