// An incident whose history grows (refusals, alerts, decisions) continues as new before Temporal's
// limits, carrying everything: each wait resumes where it was, nothing is sent twice, nothing is lost.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IncidentService } from '../app/incident-service.js';
import { approvalRefusedSignal, type RefusalInput } from '../workflows/messages.js';
import type { IncidentState } from '../workflows/types.js';
import { eventually } from './support/eventually.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

let harness: TemporalHarness;
let service: IncidentService;

before(async () => {
  harness = await startTemporalHarness();
  service = harness.service({ continueAfterEvents: 60 });
});
after(() => harness?.stop());

/** The runs of an incident's workflow, oldest first, as visibility lists them. */
async function runsOf(id: string): Promise<{ runId: string; status: string; historyLength: number; at: Date }[]> {
  const runs = [];
  for await (const info of harness.client.workflow.list({ query: `WorkflowId = '${id}'` }))
    runs.push({ runId: info.runId, status: info.status.name, historyLength: info.historyLength, at: info.startTime });
  return runs.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** Refusals straight to the workflow, as the ingress reports them, `parallel` at a time. */
async function refuse(id: string, count: number, actorOf: (i: number) => string, parallel = 25) {
  const handle = harness.client.workflow.getHandle(id);
  for (let i = 0; i < count; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - i) }, (_, j): RefusalInput => ({
      actor: actorOf(i + j),
      decision: 'approve',
      stepId: 'kill-assistant',
      reason: 'only the IC may approve step "kill-assistant"',
    }));
    await Promise.all(batch.map((refusal) => handle.signal(approvalRefusedSignal, refusal)));
  }
}

const countOf = (state: IncidentState, type: string) => state.timeline.filter((e) => e.type === type).length;
const refusedAttempts = (state: IncidentState) =>
  state.timeline
    .filter((e) => e.type === 'approval.refused' || e.type === 'request.refused')
    .reduce((sum, e) => sum + Number(e.data?.count ?? 0), 0);

async function notificationsOf(id: string): Promise<{ subject: string }[]> {
  const lines = (await readFile(join(harness.dataDir, 'notifications.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { incidentId?: string; subject: string });
  return lines.filter((n) => n.incidentId === id);
}

describe('an incident continues as new before its history gets long', () => {
  it('carries its state through several runs: waits resume at their due times, nothing is sent twice', async () => {
    const { id } = await service.declare({
      title: 'Injected page makes the assistant send e-mail',
      category: 'prompt-injection',
      severity: 'P1',
      declaredBy: 'alice',
    });
    // A status update promising the next one sooner than the hour: that promise is the due time.
    const promised = new Date(Date.now() + 40 * 60_000).toISOString();
    await service.postUpdate(id, 'alice', { text: 'Looking into it', nextUpdateAt: promised });
    const declared = await eventually(
      () => service.get(id),
      (state) => state.statusUpdateDue === promised,
      'the promise is the due time',
    );
    const dueBefore = Object.fromEntries(declared.steps.map((s) => [s.id, s.decisionDue]));
    assert.ok(dueBefore['kill-assistant'], 'a pending step has a decision due time');
    assert.ok(declared.statusUpdateDue, 'P1 asks for a status update every hour');

    await refuse(id, 150, (i) => `mallory-${i % 3}`);
    const runs = await eventually(
      () => runsOf(id),
      (listed) => listed.length >= 2,
      'the incident continues as new',
    );
    assert.ok(runs.slice(0, -1).every((r) => r.status === 'CONTINUED_AS_NEW'));
    const continued = await service.get(id);
    assert.deepEqual(
      Object.fromEntries(continued.steps.map((s) => [s.id, s.decisionDue])),
      dueBefore,
      'each step still waits for the decision due time it had',
    );
    assert.equal(continued.statusUpdateDue, declared.statusUpdateDue);
    assert.deepEqual(continued.updates, declared.updates, 'the updates are carried');
    // An update in the continued run resets the clock there: due an hour after it.
    const second = await service.postUpdate(id, 'alice', { text: 'Tool being disabled' });
    assert.equal(second.id, 'U2');
    await eventually(
      () => service.get(id),
      (state) => state.statusUpdateDue === new Date(Date.parse(second.at) + 3_600_000).toISOString(),
      'the continued run follows the cadence from the new update',
    );
    assert.equal(refusedAttempts(continued), 150, 'every refusal is counted, none twice');
    assert.equal(countOf(continued, 'approval.refused'), 3, 'one entry per refused actor');
    assert.equal(countOf(continued, 'declared'), 1);

    // Decisions and actions in a continued run; an action's workflow started by one run reports to the next.
    const step = await service.decide(id, { stepId: 'disable-send-email', decision: 'approve' }, 'sam');
    assert.equal(step.status, 'verified');
    await service.addAction(
      id,
      { kind: 'prevent', title: 'Strip instructions from fetched pages', owner: 'carol' },
      'alice',
    );
    await refuse(id, 150, (i) => `mallory-${i % 3}`);
    await eventually(
      () => runsOf(id),
      (listed) => listed.length > runs.length,
      'the incident continues as new again',
    );
    const closed = await service.closeAction(id, 'A1', 'carol');
    assert.equal(closed.status, 'closed');
    await service.resolve(id, 'alice', 'Tool disabled; the page is blocked');
    await service.completePostmortem(id, 'alice');
    const final = await eventually(
      () => service.get(id),
      (state) => state.status === 'closed',
      'the incident closes',
    );

    assert.equal(refusedAttempts(final), 300);
    for (const type of [
      'declared',
      'containment.executed',
      'action.added',
      'action.closed',
      'status.resolved',
      'status.closed',
    ])
      assert.equal(countOf(final, type), 1, `${type} once`);
    const changes = (await harness.flags.changes()).filter((c) => c.idempotencyKey === `${id}/disable-send-email`);
    assert.equal(changes.length, 1, 'the flag changed once');
    const subjects = (await notificationsOf(id)).map((n) => n.subject);
    assert.equal(subjects.filter((s) => s === 'Incident declared').length, 1, 'stakeholders told once');
    assert.equal(new Set(subjects).size, subjects.length, `no notification sent twice: ${subjects.join(' | ')}`);
    const everyRun = await runsOf(id);
    assert.ok(everyRun.length >= 3, `expected at least three runs, saw ${everyRun.length}`);
    assert.ok(
      everyRun.every((r) => r.historyLength < 400),
      `each run's history stays short: ${everyRun.map((r) => r.historyLength).join(', ')}`,
    );
    // The workflow ends once the undo offer is decided, in whichever run it has reached.
    const undo = await service.decide(
      id,
      { stepId: 'undo-disable-send-email', decision: 'reject', reason: 'keep it off' },
      'sam',
    );
    assert.equal(undo.status, 'rejected');
    const result = (await harness.client.workflow.getHandle(id).result()) as IncidentState;
    assert.equal(result.status, 'closed');
    assert.equal(refusedAttempts(result), 300);
  });

  it('stays running and small under a flood of refusals from many actors', async () => {
    const { id } = await service.declare({
      title: 'Refusal flood',
      category: 'other',
      severity: 'P2',
      declaredBy: 'alice',
    });
    const attempts = 1_000;
    await refuse(id, attempts, (i) => `bot-${i}`, 50);
    const state = await eventually(
      () => service.get(id),
      (read) => refusedAttempts(read) === attempts,
      'every refusal counted',
      60_000,
    );
    const bytes = Buffer.byteLength(JSON.stringify(state));
    assert.ok(bytes < 100_000, `state is ${bytes} bytes`);
    assert.equal(countOf(state, 'approval.refused'), 200, 'distinct refusals are kept apart up to a cap');
    assert.equal(countOf(state, 'request.refused'), 1, 'the rest are counted on one entry');
    const runs = await runsOf(id);
    assert.ok(runs.length >= 3, `continued as new, ${runs.length} runs`);
    const { status } = await harness.client.workflow.getHandle(id).describe();
    assert.equal(status.name, 'RUNNING');
  });
});
