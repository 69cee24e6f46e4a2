// The approval gate tried as an attacker would (issue 17): a person who is not the IC cannot take
// command, cannot approve an IC-only step afterwards, cannot approve an undo after a handover, and
// cannot close someone else's action; each attempt is refused, named by role, and on the timeline once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IncidentError } from '../app/incident-error.js';
import { IncidentService } from '../app/incident-service.js';
import type { IncidentState } from '../workflows/types.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

let harness: TemporalHarness;
let service: IncidentService;

before(async () => {
  harness = await startTemporalHarness();
  service = harness.service();
});
after(() => harness?.stop());

async function refusal(promise: Promise<unknown>): Promise<IncidentError> {
  const err = await promise.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof IncidentError, `expected IncidentError, got ${String(err)}`);
  return err;
}

/** Refusals are recorded by a signal after the answer: wait until the timeline has them. */
async function refusalsOf(id: string, count: number): Promise<IncidentState['timeline']> {
  for (let i = 0; i < 50; i++) {
    const entries = (await service.get(id)).timeline.filter((e) => e.type.endsWith('.refused'));
    if (entries.length >= count) return entries;
    await new Promise((r) => setTimeout(r, 100));
  }
  return (await service.get(id)).timeline.filter((e) => e.type.endsWith('.refused'));
}

describe('authorisation in the incident workflow', () => {
  it('refuses a handover by anyone but the IC or an incident commander, and counts repeated refusals once', async () => {
    const { id } = await service.declare({
      title: 'Agent mailing data',
      category: 'prompt-injection',
      severity: 'P1',
      declaredBy: 'alice',
    });
    const taken = await refusal(service.assignCommander(id, 'mallory', 'mallory'));
    assert.equal(taken.kind, 'NotAuthorized');
    assert.equal(
      taken.message,
      `mallory may not hand over command of ${id}: only the incident commander or members of group incident-commanders may`,
    );
    assert.doesNotMatch(taken.message, /alice|maria/, 'a refusal names roles, never the people who hold them');
    for (let i = 0; i < 4; i++) await refusal(service.assignCommander(id, 'mallory', 'mallory'));
    await refusal(service.decide(id, { stepId: 'kill-assistant', decision: 'approve' }, 'mallory'));
    const refused = await refusalsOf(id, 2);
    // Repeats within a minute are coalesced by the ingress into one signal with their count.
    await service.flushRefusals();
    await new Promise((r) => setTimeout(r, 300));
    const final = (await service.get(id)).timeline.filter((e) => e.type.endsWith('.refused'));
    assert.equal(final.length, 2, 'one entry per actor, request and target');
    const handover = final.find((e) => e.type === 'request.refused')!;
    assert.equal(handover.actor, 'mallory');
    assert.equal(handover.via, 'local');
    assert.deepEqual([handover.data?.decision, handover.data?.count], ['assign-commander', 5]);
    assert.equal(refused.find((e) => e.type === 'approval.refused')?.data?.stepId, 'kill-assistant');
    assert.equal((await service.get(id)).commander, 'alice');
  });

  it('lets a member of incident-commanders take command and tells the previous IC', async () => {
    const { id } = await service.declare({
      title: 'Jailbreak spreading',
      category: 'jailbreak',
      severity: 'P2',
      declaredBy: 'bob',
    });
    const state = await service.assignCommander(id, 'maria', 'maria');
    assert.equal(state.commander, 'maria');
    const entry = state.timeline.find((e) => e.type === 'commander.assigned' && e.actor === 'maria');
    assert.equal(entry?.message, 'Incident commander bob → maria');
    for (
      let i = 0;
      i < 50 && !(await service.get(id)).timeline.some((e) => e.message === `Notified ic:bob: You handed over ${id}`);
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      (await service.get(id)).timeline.some((e) => e.message === `Notified ic:bob: You handed over ${id}`),
      'the previous IC is told',
    );
  });

  it('refuses a handover after resolution, even by the IC', async () => {
    const { id } = await service.declare({
      title: 'Spike over',
      category: 'other',
      severity: 'P3',
      declaredBy: 'alice',
    });
    await service.resolve(id, 'alice', 'gone');
    const late = await refusal(service.assignCommander(id, 'alice', 'mallory'));
    assert.equal(late.kind, 'Conflict');
    assert.match(late.message, /command no longer changes hands/);
  });

  it('decides an undo by the IC of the time the step ran, not by a newer IC', async () => {
    const { id } = await service.declare({
      title: 'Agent mailing data',
      category: 'prompt-injection',
      severity: 'P1',
      declaredBy: 'alice',
    });
    await service.decide(id, { stepId: 'disable-send-email', decision: 'approve' }, 'alice');
    await service.assignCommander(id, 'alice', 'bob');
    await service.resolve(id, 'bob', 'injection source removed');
    const undo = (await service.get(id)).steps.find((s) => s.id === 'undo-disable-send-email')!;
    assert.deepEqual(undo.approvers, ['user:alice', 'group:safety-oncall']);
    const byNewIc = await refusal(service.decide(id, { stepId: undo.id, decision: 'approve' }, 'bob'));
    assert.equal(byNewIc.kind, 'NotAuthorized');
    const step = await service.decide(id, { stepId: undo.id, decision: 'approve' }, 'alice');
    assert.equal(step.status, 'verified');
  });

  it("refuses to close someone else's action; its owner, the IC and an approver may", async () => {
    const { id } = await service.declare({
      title: 'Agent mailing data',
      category: 'prompt-injection',
      severity: 'P2',
      declaredBy: 'alice',
    });
    await service.addAction(id, { kind: 'prevent', title: 'Sandbox the mail tool', owner: 'carol' }, 'alice');
    await service.addAction(id, { kind: 'detect', title: 'Alert on outbound mail', owner: 'dave' }, 'alice');
    await service.addAction(id, { kind: 'detect', title: 'Canary prompt', owner: 'erin' }, 'alice');
    const byOutsider = await refusal(service.closeAction(id, 'A1', 'mallory'));
    assert.equal(byOutsider.kind, 'NotAuthorized');
    assert.match(
      byOutsider.message,
      /^mallory may not close A1: only the action's owner, the incident commander or an approver of a containment step may$/,
    );
    assert.equal((await service.get(id)).actions[0]!.status, 'open');
    const [refused] = await refusalsOf(id, 1);
    assert.deepEqual(
      [refused!.actor, refused!.data?.decision, refused!.data?.actionId],
      ['mallory', 'close-action', 'A1'],
    );
    assert.equal((await service.closeAction(id, 'A1', 'carol')).status, 'closed', 'its owner');
    assert.equal((await service.closeAction(id, 'A2', 'alice')).status, 'closed', 'the IC');
    assert.equal((await service.closeAction(id, 'A3', 'sam')).status, 'closed', 'an approver (safety-oncall)');
    assert.equal((await service.get(id)).actions.find((a) => a.id === 'A1')?.endedBy, 'carol');
  });

  it('refuses look-alike ids: control and format characters', async () => {
    const { id } = await service.declare({
      title: 'Assistant misbehaving',
      category: 'other',
      severity: 'P1',
      declaredBy: 'alice',
    });
    const zeroWidth = await refusal(service.decide(id, { stepId: 'kill-switch', decision: 'approve' }, 'alice\u200b'));
    assert.equal(zeroWidth.kind, 'InvalidInput');
    assert.match(zeroWidth.message, /actor contains control or format characters/);
    // Full-width letters are the same person once NFKC-normalised: the entry point normalises.
    const step = await service.decide(id, { stepId: 'kill-switch', decision: 'approve' }, 'ａｌｉｃｅ');
    assert.equal(step.decision?.by, 'alice');
  });

  it('restricts severity changes by the policy, and P0 to the IC and incident commanders', async () => {
    const { id } = await service.declare({
      title: 'Harmful replies',
      category: 'harmful-output',
      severity: 'P2',
      declaredBy: 'alice',
    });
    const byOutsider = await refusal(service.setSeverity(id, 'mallory', 'P1'));
    assert.equal(byOutsider.kind, 'NotAuthorized');
    const toP0 = await refusal(service.setSeverity(id, 'sam', 'P0'));
    assert.match(
      toP0.message,
      /^sam may not set .* to P0: only the incident commander or members of group incident-commanders may$/,
    );
    const raised = await service.setSeverity(id, 'sam', 'P1');
    assert.equal(raised.severity, 'P1', 'an approver of a step may change severity below P0');
  });
});
