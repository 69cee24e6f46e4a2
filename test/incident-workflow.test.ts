import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { IncidentError, IncidentService } from '../app/incident-service.js';
import { approveStepUpdate } from '../workflows/messages.js';
import type { IncidentState } from '../workflows/model.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

let harness: TemporalHarness;
let service: IncidentService;

before(async () => {
  harness = await startTemporalHarness();
  service = new IncidentService(harness.client, { taskQueue: harness.taskQueue, defaultKillSwitchFlag: 'ai-assistant-enabled' });
});
after(() => harness?.stop());

async function declare(overrides: Partial<Parameters<IncidentService['declare']>[0]> = {}) {
  const { id } = await service.declare({
    title: 'Jailbreak regression after model upgrade',
    category: 'jailbreak',
    severity: 'P1',
    declaredBy: 'alice',
    ...overrides,
  });
  return id;
}

async function rejection(promise: Promise<unknown>): Promise<IncidentError> {
  const err = await promise.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof IncidentError, `expected IncidentError, got ${String(err)}`);
  return err;
}

const types = (state: IncidentState) => state.timeline.map((e) => e.type);

describe('incident workflow on a real Temporal dev server', () => {
  it('declares an incident in triage with the declarer as IC and the kill switch proposed', async () => {
    const id = await declare({ killSwitchFlag: 'agent-tool-web-browse-enabled' });
    assert.match(id, /^INC-[0-9A-Z]{5}$/);
    const state = await service.get(id);
    assert.equal(state.status, 'triaging');
    assert.equal(state.commander, 'alice');
    assert.deepEqual(types(state), ['declared', 'commander.assigned', 'containment.proposed']);
    assert.equal(state.steps[0]?.flagKey, 'agent-tool-web-browse-enabled');
    assert.equal(state.steps[0]?.status, 'pending');
  });

  it('refuses a non-IC approver, records the refusal, and changes no flag', async () => {
    const id = await declare();
    const err = await rejection(service.decide(id, { stepId: 'kill-switch', decision: 'approve', actor: 'mallory' }));
    assert.equal(err.kind, 'forbidden');
    assert.match(err.message, /mallory may not approve.*incident commander \(alice\)/);
    const state = await service.get(id);
    assert.equal(state.steps[0]?.status, 'pending');
    const refusal = state.timeline.find((e) => e.type === 'approval.refused');
    assert.equal(refusal?.actor, 'mallory');
    assert.deepEqual((await harness.flags.readFlag('ai-assistant-enabled')).on, true);
  });

  it('rejects the refusal in the update validator, before anything is written to history', async () => {
    const id = await declare();
    const handle = harness.client.workflow.getHandle(id);
    const err = await handle.executeUpdate(approveStepUpdate, { args: [{ stepId: 'kill-switch', actor: 'mallory' }] }).catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowUpdateFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'NotAuthorized');
    const history = await handle.fetchHistory();
    const accepted = history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    assert.equal(accepted.length, 0);
  });

  it('executes, verifies and records an approval by the IC, exactly once', async () => {
    const id = await declare({ killSwitchFlag: 'retrieval-index-enabled' });
    const step = await service.decide(id, { stepId: 'kill-switch', decision: 'approve', actor: 'alice' });
    assert.equal(step.status, 'verified');
    assert.equal(step.decision?.by, 'alice');
    assert.equal((await harness.flags.readFlag('retrieval-index-enabled')).on, false);
    const changes = (await harness.flags.changes()).filter((c) => c.idempotencyKey === `${id}/kill-switch`);
    assert.equal(changes.length, 1);
    assert.equal(changes[0]?.changed, true);

    const state = await service.get(id);
    assert.equal(state.status, 'mitigated');
    assert.ok(state.mitigatedAt);
    assert.deepEqual(types(state).slice(3), ['containment.approved', 'containment.executed', 'containment.verified', 'status.mitigated']);

    const again = await rejection(service.decide(id, { stepId: 'kill-switch', decision: 'approve', actor: 'alice' }));
    assert.equal(again.kind, 'conflict');
    assert.match(again.message, /is verified, not pending \(approved by alice/);
  });

  it('names unknown steps and needs a reason to reject', async () => {
    const id = await declare();
    const unknown = await rejection(service.decide(id, { stepId: 'rollback', decision: 'approve', actor: 'alice' }));
    assert.equal(unknown.kind, 'not-found');
    assert.match(unknown.message, /no containment step "rollback" \(steps: kill-switch\)/);
    const noReason = await rejection(service.decide(id, { stepId: 'kill-switch', decision: 'reject', actor: 'alice' }));
    assert.equal(noReason.kind, 'invalid');
    const step = await service.decide(id, { stepId: 'kill-switch', decision: 'reject', actor: 'alice', reason: 'flag also gates billing' });
    assert.equal(step.status, 'rejected');
    assert.equal(step.decision?.reason, 'flag also gates billing');
    assert.equal((await service.get(id)).status, 'triaging');
  });

  it('surfaces a failed containment to the IC instead of calling it mitigated', async () => {
    const id = await declare({ killSwitchFlag: 'no-such-flag' });
    const step = await service.decide(id, { stepId: 'kill-switch', decision: 'approve', actor: 'alice' });
    assert.equal(step.status, 'failed');
    assert.match(step.result ?? '', /Flag "no-such-flag" does not exist/);
    const state = await service.get(id);
    assert.equal(state.status, 'triaging');
    assert.ok(types(state).includes('containment.failed'));
  });

  it('fails verification, and does not call it mitigated, when the flag still serves true', async () => {
    const id = await declare({ killSwitchFlag: 'stubborn-flag' });
    // A full flag whose off variation is `true`: turning it off leaves the feature on.
    const file = JSON.parse(await readFile(harness.flags.path, 'utf8'));
    file.flags = { 'stubborn-flag': { key: 'stubborn-flag', on: true, variations: [true, false], offVariation: 0, fallthrough: { variation: 0 } } };
    await writeFile(harness.flags.path, JSON.stringify(file));
    const step = await service.decide(id, { stepId: 'kill-switch', decision: 'approve', actor: 'alice' });
    assert.equal(step.status, 'failed');
    assert.equal(step.result, 'Verification failed: flag stubborn-flag is off and serves true');
    const state = await service.get(id);
    assert.equal(state.status, 'triaging');
    assert.ok(types(state).includes('containment.verification-failed'));
  });

  it('hands over command: the new IC decides, the old one may not, and severity changes are recorded', async () => {
    const id = await declare();
    await service.assignCommander(id, 'alice', 'bob');
    await service.setSeverity(id, 'bob', 'P0');
    const old = await rejection(service.decide(id, { stepId: 'kill-switch', decision: 'approve', actor: 'alice' }));
    assert.equal(old.kind, 'forbidden');
    const same = await rejection(service.setSeverity(id, 'bob', 'P0'));
    assert.equal(same.kind, 'conflict');
    const step = await service.decide(id, { stepId: 'kill-switch', decision: 'approve', actor: 'bob' });
    assert.equal(step.status, 'verified');
    const state = await service.get(id);
    assert.equal(state.commander, 'bob');
    assert.equal(state.severity, 'P0');
    assert.ok(state.timeline.some((e) => e.type === 'severity.changed' && e.actor === 'bob' && e.message === 'Severity P1 → P0'));
  });

  it('lets only the IC resolve, ends the workflow, and answers later calls with a conflict', async () => {
    const id = await declare();
    const notIc = await rejection(service.resolve(id, 'mallory', 'done'));
    assert.equal(notIc.kind, 'forbidden');
    const state = await service.resolve(id, 'alice', 'Model rolled back');
    assert.equal(state.status, 'resolved');
    const result = (await harness.client.workflow.getHandle(id).result()) as IncidentState;
    assert.equal(result.summary, 'Model rolled back');
    assert.equal((await service.get(id)).status, 'resolved', 'a closed incident can still be read');
    const late = await rejection(service.decide(id, { stepId: 'kill-switch', decision: 'approve', actor: 'alice' }));
    assert.equal(late.kind, 'conflict');
  });

  it('lists open incidents newest first from search attributes, and closed ones on request', async () => {
    const older = await declare({ title: 'Older', severity: 'P2' });
    const newer = await declare({ title: 'Newer', severity: 'P0', category: 'data-leak' });
    await service.resolve(older, 'alice', 'false alarm');
    let open: Awaited<ReturnType<IncidentService['list']>> = [];
    for (let i = 0; i < 50; i++) {
      // visibility is eventually consistent
      open = await service.list();
      if (open.some((x) => x.id === newer) && !open.some((x) => x.id === older)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const row = open.find((x) => x.id === newer);
    assert.deepEqual(
      { title: row?.title, severity: row?.severity, category: row?.category, status: row?.status, commander: row?.commander },
      { title: 'Newer', severity: 'P0', category: 'data-leak', status: 'triaging', commander: 'alice' },
    );
    assert.ok(!open.some((x) => x.id === older));
    const sorted = [...open].sort((a, b) => b.declaredAt.localeCompare(a.declaredAt));
    assert.deepEqual(open.map((x) => x.id), sorted.map((x) => x.id));
    const all = await service.list({ includeClosed: true });
    assert.equal(all.find((x) => x.id === older)?.open, false);
  });

  it('answers not-found for an unknown incident', async () => {
    const err = await rejection(service.get('INC-00000'));
    assert.equal(err.kind, 'not-found');
  });
});
