// A runbook's autoResolve: an alert-raised incident resolves itself once every alert has stayed
// resolved for quietFor, and an alert firing again within that time holds it open.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAlertWebhook, type AlertWebhook } from '../app/alerts/alert-webhook.js';
import { IncidentService } from '../app/incident-service.js';
import { alertGroupQuery } from '../workflows/messages.js';
import type { IncidentState } from '../workflows/types.js';
import { eventually } from './support/eventually.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

let harness: TemporalHarness;
let webhook: AlertWebhook;
let service: IncidentService;

before(async () => {
  harness = await startTemporalHarness();
  await writeFile(
    join(harness.runbooks.dir, 'quiet-resolve.yaml'),
    `id: quiet-resolve
title: Resolves itself when quiet
description: Flapping latency alerts that need no human once they stop.
match:
  alerts: [[{ label: alertname, op: "=", value: QuietTest }]]
autoResolve: { quietFor: 2s }
`,
  );
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

async function send(status: 'firing' | 'resolved', key: string): Promise<string> {
  const body = {
    alerts: [
      {
        status,
        id: key,
        groupKey: key,
        labels: { alertname: 'QuietTest', severity: 'P3' },
        annotations: { summary: 'p99 latency above 2 s' },
      },
    ],
  };
  const answer = await webhook('generic', {}, Buffer.from(JSON.stringify(body)));
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  const { workflowId, groupKey } = (answer.body as { groups: { workflowId: string; groupKey: string }[] }).groups[0]!;
  const group = await eventually(
    () => harness.client.workflow.getHandle(workflowId).query(alertGroupQuery, groupKey),
    (g) => g?.incidentId !== undefined,
    'the incident',
  );
  return group!.incidentId!;
}

const status = (id: string) => service.get(id);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a runbook's autoResolve", () => {
  it('resolves the incident once every alert stayed resolved for quietFor, as the system', async () => {
    const id = await send('firing', 'quiet-1');
    await eventually(
      () => status(id),
      (s) => s.status === 'triaging',
      'triage',
    );
    await send('resolved', 'quiet-1');
    const resolved = await eventually(
      () => status(id),
      (s: IncidentState) => s.resolvedAt !== undefined,
      'auto-resolved',
      15_000,
    );
    const entry = resolved.timeline.find((e) => e.type === 'status.resolved')!;
    assert.equal(entry.actor, 'system');
    assert.match(resolved.summary!, /quiet for 2s/);
    const allResolvedAt = Date.parse(resolved.timeline.find((e) => e.type === 'alerts.all-resolved')!.at);
    assert.ok(Date.parse(resolved.resolvedAt!) - allResolvedAt >= 2_000, 'not before the quiet period ended');
  });

  it('stays open while an alert fires again within quietFor, and resolves once it is quiet', async () => {
    const id = await send('firing', 'quiet-2');
    await send('resolved', 'quiet-2');
    await sleep(1_000);
    await send('firing', 'quiet-2');
    await sleep(2_500);
    assert.equal((await status(id)).status, 'triaging', 'the alert fired again within the quiet period');
    await send('resolved', 'quiet-2');
    await eventually(
      () => status(id),
      (s) => s.resolvedAt !== undefined,
      'auto-resolved after the second resolution',
      15_000,
    );
  });
});
