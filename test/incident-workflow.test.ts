import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { IncidentError } from '../app/incident-error.js';
import { IncidentService, type DeclareRequest } from '../app/incident-service.js';
import { approveStepUpdate } from '../workflows/messages.js';
import type { IncidentState } from '../workflows/types.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

let harness: TemporalHarness;
let service: IncidentService;

before(async () => {
  harness = await startTemporalHarness();
  service = harness.service();
  // Edge cases the library does not have: a flag that does not exist, and a kill switch whose off variation is `true`.
  await writeFile(
    join(harness.runbooks.dir, 'test-edge-cases.yaml'),
    `id: test-edge-cases
title: Test edge cases
description: Steps that fail on purpose.
containment:
  - { id: missing-flag, kind: flag, title: Turn a missing flag off, flag: no-such-flag, action: "off" }
  - { id: stubborn, kind: flag, title: Turn the stubborn flag off, flag: stubborn-flag, action: "off" }
`,
  );
  const file = JSON.parse(await readFile(harness.flags.path, 'utf8'));
  file.flags = {
    'stubborn-flag': {
      key: 'stubborn-flag',
      on: true,
      variations: [true, false],
      offVariation: 0,
      fallthrough: { variation: 0 },
    },
  };
  await writeFile(harness.flags.path, JSON.stringify(file));
});
after(() => harness?.stop());

async function declare(overrides: Partial<DeclareRequest> = {}) {
  const { id } = await service.declare({
    title: 'Assistant misbehaving',
    category: 'other',
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
const flagValue = async (key: string) => (await harness.flags.readFlag(key)).value;
let resets = 0;
const setFlag = (flagKey: string, value: string) =>
  harness.flags.applyChange({
    flagKey,
    change: { kind: 'setValue', value },
    idempotencyKey: `test-reset-${++resets}`,
    comment: 'test setup',
  });

describe('incident workflow on a real Temporal dev server', () => {
  it('runs the runbook its category selects, and records which version', async () => {
    const id = await declare({ category: 'prompt-injection', severity: 'P1' });
    assert.match(id, /^INC-[0-9A-Z]{5}$/);
    const state = await service.get(id);
    assert.equal(state.status, 'triaging');
    assert.equal(state.commander, 'alice');
    assert.equal(state.runbook?.id, 'prompt-injection-tool-misuse');
    assert.match(state.runbook?.hash ?? '', /^[0-9a-f]{64}$/);
    assert.equal(state.mitigationTarget, '24h');
    assert.deepEqual(
      state.steps.map((s) => [s.id, s.status]),
      [
        ['disable-send-email', 'pending'],
        ['disable-web-browse', 'pending'],
        ['kill-assistant', 'pending'],
      ],
    );
    assert.equal(state.steps[0]?.target, 'flag agent-tools.send-email.enabled off');
    assert.deepEqual(
      state.triage.map((t) => t.id),
      ['capture-payload', 'blast-radius', 'entry-vector', 'still-happening'],
    );
    const selected = state.timeline.find((e) => e.type === 'runbook.selected');
    assert.match(selected?.message ?? '', /prompt-injection-tool-misuse\.yaml, sha256 [0-9a-f]{12}/);
    // Stakeholders are told in the background of the declaration: wait for it, within reason.
    const notified = (incident: IncidentState) =>
      incident.timeline.some(
        (e) => e.type === 'notification.sent' && /security-leadership, support-leads/.test(e.message),
      );
    let latest = state;
    for (let i = 0; i < 50 && !notified(latest); i++) {
      await new Promise((r) => setTimeout(r, 100));
      latest = await service.get(id);
    }
    assert.ok(notified(latest));
    assert.equal(
      (await harness.notifier.sent()).filter((n) => n.incidentId === id && n.subject === 'Incident declared').length,
      1,
      'in the local inbox, once',
    );
  });

  it('uses the fallback runbook for a category no runbook claims, or the one named', async () => {
    assert.equal((await service.get(await declare({ category: 'other' }))).runbook?.id, 'generic');
    assert.equal(
      (await service.get(await declare({ category: 'other', runbookId: 'model-regression' }))).runbook?.id,
      'model-regression',
    );
    const unknown = await rejection(
      service.declare({ title: 't', category: 'other', severity: 'P2', declaredBy: 'a', runbookId: 'nope' }),
    );
    assert.equal(unknown.kind, 'InvalidInput');
    assert.match(unknown.message, /No runbook "nope" \(known: .*generic/);
  });

  it('refuses a non-approver, records the refusal, and changes no flag', async () => {
    const id = await declare();
    const err = await rejection(service.decide(id, { stepId: 'kill-switch', decision: 'approve' }, 'mallory'));
    assert.equal(err.kind, 'NotAuthorized');
    assert.match(
      err.message,
      /mallory may not approve step "kill-switch": only the incident commander may$/,
      'the role, not the people who hold it',
    );
    const state = await service.get(id);
    assert.equal(state.steps[0]?.status, 'pending');
    assert.equal(state.timeline.find((e) => e.type === 'approval.refused')?.actor, 'mallory');
    assert.equal(await flagValue('ai-assistant-enabled'), true);
  });

  it('rejects the refusal in the update validator, before anything is written to history', async () => {
    const id = await declare();
    await service.get(id); // the runbook is loaded
    const handle = harness.client.workflow.getHandle(id);
    const err = await handle
      .executeUpdate(approveStepUpdate, { args: [{ stepId: 'kill-switch', actor: 'mallory' }] })
      .catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowUpdateFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'NotAuthorized');
    const history = await handle.fetchHistory();
    assert.equal(history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length, 0);
  });

  it('lets a member of an approver group decide, and executes, verifies and records the step once', async () => {
    const id = await declare({ category: 'prompt-injection' });
    const step = await service.decide(id, { stepId: 'disable-send-email', decision: 'approve' }, 'sam');
    assert.equal(step.status, 'verified');
    assert.equal(step.decision?.by, 'sam');
    assert.equal(
      step.result,
      'Verified: flag agent-tools.send-email.enabled is off and serves false (observed through the local flag file)',
    );
    assert.equal(await flagValue('agent-tools.send-email.enabled'), false);
    const changes = (await harness.flags.changes()).filter((c) => c.idempotencyKey === `${id}/disable-send-email`);
    assert.equal(changes.length, 1);

    const state = await service.get(id);
    assert.equal(state.status, 'mitigated');
    const mitigated = state.timeline.find((e) => e.type === 'status.mitigated');
    assert.match(mitigated?.message ?? '', /after declaration \(within the 24h target\)/);
    assert.equal(mitigated?.data?.breached, false);
    const again = await rejection(service.decide(id, { stepId: 'disable-send-email', decision: 'approve' }, 'alice'));
    assert.equal(again.kind, 'Conflict');
    assert.match(again.message, /is verified, not pending \(approved by sam/);
    const outsider = await rejection(service.decide(id, { stepId: 'kill-assistant', decision: 'approve' }, 'sam'));
    assert.equal(
      outsider.kind,
      'NotAuthorized',
      'safety-oncall may not pull the whole assistant: that step is the IC only',
    );
  });

  it('serves model versions, rate limits and index snapshots as the runbooks say', async () => {
    const regression = await declare({ runbookId: 'model-regression' });
    await service.decide(regression, { stepId: 'rollback-model', decision: 'approve' }, 'alice');
    assert.equal(await flagValue('assistant-model-version'), 'model-2026-10-01');
    const consumption = await declare({ runbookId: 'unbounded-consumption' });
    await service.decide(consumption, { stepId: 'tighten-rate-limit', decision: 'approve' }, 'alice');
    assert.equal(await flagValue('chat-rate-limit-per-user-per-minute'), 10);
    const poisoned = await declare({ runbookId: 'poisoned-retrieval-index' });
    const step = await service.decide(poisoned, { stepId: 'quarantine-index', decision: 'approve' }, 'lee');
    assert.equal(step.status, 'verified');
    assert.equal(await flagValue('retrieval-index'), 'kb-index-2026-11-01');
  });

  it('names unknown steps and needs a reason to reject', async () => {
    const id = await declare();
    const unknown = await rejection(service.decide(id, { stepId: 'rollback', decision: 'approve' }, 'alice'));
    assert.equal(unknown.kind, 'NotFound');
    assert.match(unknown.message, /no containment step "rollback" \(steps: kill-switch\)/);
    const noReason = await rejection(service.decide(id, { stepId: 'kill-switch', decision: 'reject' }, 'alice'));
    assert.equal(noReason.kind, 'InvalidInput');
    const step = await service.decide(
      id,
      { stepId: 'kill-switch', decision: 'reject', reason: 'flag also gates billing' },
      'alice',
    );
    assert.equal(step.status, 'rejected');
    assert.equal(step.decision?.reason, 'flag also gates billing');
    assert.equal((await service.get(id)).status, 'triaging');
  });

  it('surfaces a failed step and a failed verification to the IC instead of calling them mitigated', async () => {
    const id = await declare({ runbookId: 'test-edge-cases' });
    const missing = await service.decide(id, { stepId: 'missing-flag', decision: 'approve' }, 'alice');
    assert.equal(missing.status, 'failed');
    assert.match(missing.result ?? '', /Flag "no-such-flag" does not exist/);
    const stubborn = await service.decide(id, { stepId: 'stubborn', decision: 'approve' }, 'alice');
    assert.equal(stubborn.status, 'failed');
    assert.equal(
      stubborn.result,
      'Verification failed: flag stubborn-flag is off and serves true (observed through the local flag file)',
    );
    const state = await service.get(id);
    assert.equal(state.status, 'triaging');
    assert.ok(types(state).includes('containment.failed'));
    assert.ok(types(state).includes('containment.verification-failed'));
    assert.deepEqual(
      state.timeline
        .filter((e) => e.type === 'notification.sent' && e.message.startsWith('Notified ic:'))
        .map((e) => e.message),
      [
        'Notified ic:alice: Containment step failed: ' + missing.title,
        'Notified ic:alice: Containment step failed: ' + stubborn.title,
      ],
    );
  });

  it('hands over command: the new IC decides, the old one may not, and severity changes notify new stakeholders', async () => {
    const id = await declare({ category: 'prompt-injection', severity: 'P2' });
    await service.assignCommander(id, 'alice', 'bob');
    await service.setSeverity(id, 'bob', 'P0');
    const old = await rejection(service.decide(id, { stepId: 'kill-assistant', decision: 'approve' }, 'alice'));
    assert.equal(old.kind, 'NotAuthorized');
    const same = await rejection(service.setSeverity(id, 'bob', 'P0'));
    assert.equal(same.kind, 'Conflict');
    const state = await service.get(id);
    assert.equal(state.commander, 'bob');
    assert.equal(state.severity, 'P0');
    assert.equal(state.mitigationTarget, '4h');
    assert.ok(
      state.timeline.some(
        (e) => e.type === 'severity.changed' && e.actor === 'bob' && e.message === 'Severity P2 → P0',
      ),
    );
    // The declaration's notice goes out in the background; the severity change's before its answer.
    const notices = async () =>
      (await service.get(id)).timeline
        .filter((e) => e.type === 'notification.sent')
        .map((e) => e.message)
        .sort();
    for (let i = 0; i < 50 && (await notices()).length < 5; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await notices(), [
      'Notified exec-staff, security-leadership: Severity P2 → P0',
      `Notified ic:alice: You handed over ${id}`,
      // bob may approve both tool steps, so his P0 arms their pre-approval, and their approvers hear of it.
      'Notified ic:bob, group:safety-oncall: Runs in 5m unless decided: Disable the send-email tool for the assistant',
      'Notified ic:bob, group:safety-oncall: Runs in 5m unless decided: Disable the web-browse tool (the usual indirect injection vector)',
      'Notified support-leads: Incident declared',
    ]);
  });

  it('ticks off triage items, once each', async () => {
    const id = await declare({ category: 'data-leak' });
    const state = await service.completeTriage(id, 'data-class', 'rita', 'emails and phone numbers');
    assert.deepEqual(state.triage.find((t) => t.id === 'data-class')?.done?.by, 'rita');
    assert.equal((await rejection(service.completeTriage(id, 'data-class', 'rita'))).kind, 'Conflict');
    assert.equal((await rejection(service.completeTriage(id, 'nope', 'rita'))).kind, 'NotFound');
  });

  it('lets only the IC resolve, then offers undo with its own approval, and ends when it is decided', async () => {
    await setFlag('assistant-model-version', 'model-2026-11-12');
    const id = await declare({ category: 'model-regression' });
    await service.decide(id, { stepId: 'rollback-model', decision: 'approve' }, 'alice');
    assert.equal(await flagValue('assistant-model-version'), 'model-2026-10-01');
    const notIc = await rejection(service.resolve(id, 'mallory', 'done'));
    assert.equal(notIc.kind, 'NotAuthorized');
    const resolved = await service.resolve(id, 'alice', 'Rolled back; the new model fails the jailbreak evals');
    assert.equal(resolved.status, 'resolved');
    assert.deepEqual(
      resolved.steps.map((s) => [s.id, s.status]),
      [
        ['rollback-model', 'verified'],
        ['rollback-prompt', 'expired'],
        ['undo-rollback-model', 'pending'],
      ],
    );
    assert.equal(resolved.steps[2]?.target, 'flag assistant-model-version → "model-2026-11-12"');
    const late = await rejection(service.decide(id, { stepId: 'rollback-prompt', decision: 'approve' }, 'alice'));
    assert.equal(late.kind, 'Conflict');
    assert.equal(
      (await rejection(service.decide(id, { stepId: 'undo-rollback-model', decision: 'approve' }, 'mallory'))).kind,
      'NotAuthorized',
    );
    const undone = await service.decide(id, { stepId: 'undo-rollback-model', decision: 'approve' }, 'lee');
    assert.equal(undone.status, 'verified');
    assert.equal(await flagValue('assistant-model-version'), 'model-2026-11-12');
    assert.equal((await service.get(id)).status, 'postmortem', 'P1: open until the IC completes the postmortem');
    await service.completePostmortem(id, 'alice');
    const result = (await harness.client.workflow.getHandle(id).result()) as IncidentState;
    assert.equal(result.summary, 'Rolled back; the new model fails the jailbreak evals');
    assert.equal((await service.get(id)).status, 'closed', 'a closed incident can still be read');
    assert.equal((await rejection(service.resolve(id, 'alice', 'again'))).kind, 'Conflict');
  });

  it("rolls a registered model's alias back to the previous version, verifies it, and offers to move it back", async () => {
    await writeFile(
      join(harness.runbooks.dir, 'test-model-registry.yaml'),
      `id: test-model-registry
title: Test model registry rollback
description: Rolls back a registered model's alias.
containment:
  - { id: rollback-champion, kind: model-rollback, title: Serve the previous assistant model, model: assistant-chat, to: previous }
  - { id: rollback-ghost, kind: model-rollback, title: Roll back a model nobody registered, model: ghost-model, to: previous }
`,
    );
    await writeFile(
      harness.models.path,
      JSON.stringify({
        models: { 'assistant-chat': { versions: ['1', '2', '3', '5'], aliases: { champion: '5', challenger: '5' } } },
      }),
    );
    const id = await declare({ runbookId: 'test-model-registry' });
    const step = await service.decide(id, { stepId: 'rollback-champion', decision: 'approve' }, 'alice');
    assert.equal(step.status, 'verified');
    assert.equal(
      step.result,
      'Verified: model assistant-chat "champion" serves version 3 (observed through the local model registry)',
    );
    const alias = async () => (await harness.models.readAlias('assistant-chat', 'champion')).version;
    assert.equal(await alias(), '3', 'the version before 5 that exists');
    assert.equal((await harness.models.readAlias('assistant-chat', 'challenger')).version, '5', 'other aliases stay');

    const ghost = await service.decide(id, { stepId: 'rollback-ghost', decision: 'approve' }, 'alice');
    assert.equal(ghost.status, 'failed');
    assert.match(
      ghost.result ?? '',
      /^Execution failed: No registered model "ghost-model" in .*models\.json \(models: assistant-chat\)$/,
    );

    const resolved = await service.resolve(id, 'alice', 'Rolled back');
    const undo = resolved.steps.find((s) => s.id === 'undo-rollback-champion');
    assert.equal(undo?.target, 'model assistant-chat "champion" → version 5');
    assert.equal(
      (await service.decide(id, { stepId: 'undo-rollback-champion', decision: 'approve' }, 'alice')).status,
      'verified',
    );
    assert.equal(await alias(), '5', 'the undo moved it back');
  });

  it('keeps its runbook snapshot when the file changes; a new incident gets the new version', async () => {
    const file = join(harness.runbooks.dir, 'generic.yaml');
    const before = await readFile(file, 'utf8');
    const open = await declare();
    const original = await service.get(open);
    await writeFile(
      file,
      before.replace('title: Turn the assistant off (ai-assistant-enabled)', 'title: Kill the assistant'),
    );
    try {
      const fresh = await service.get(await declare());
      assert.equal(fresh.steps[0]?.title, 'Kill the assistant');
      assert.notEqual(fresh.runbook?.hash, original.runbook?.hash);
      const step = await service.decide(
        open,
        { stepId: 'kill-switch', decision: 'reject', reason: 'not needed' },
        'alice',
      );
      assert.equal(step.title, 'Turn the assistant off (ai-assistant-enabled)');
      assert.equal((await service.get(open)).runbook?.hash, original.runbook?.hash);
    } finally {
      await writeFile(file, before);
    }
  });

  it('keeps using the last valid library when a file breaks after start, and says so in the timeline', async () => {
    const broken = join(harness.runbooks.dir, 'broken.yaml');
    await writeFile(broken, 'id: broken\ntitle: [unclosed\n');
    try {
      const state = await service.get(await declare());
      assert.equal(state.runbook?.id, 'generic');
      assert.ok(state.timeline.some((e) => e.type === 'runbook.warning' && /broken\.yaml/.test(e.message)));
    } finally {
      await rm(broken);
    }
  });

  it('lists open incidents newest first from search attributes, and closed ones on request', async () => {
    const older = await declare({ title: 'Older', severity: 'P2' });
    const newer = await declare({ title: 'Newer', severity: 'P0', category: 'data-leak' });
    await service.resolve(older, 'alice', 'false alarm');
    assert.equal((await service.get(older)).status, 'postmortem', 'still listed: a week to add follow-ups');
    await service.completePostmortem(older, 'alice');
    let open: Awaited<ReturnType<IncidentService['list']>> = [];
    for (let i = 0; i < 50; i++) {
      // visibility is eventually consistent
      open = await service.list();
      if (open.some((x) => x.id === newer) && !open.some((x) => x.id === older)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const row = open.find((x) => x.id === newer);
    assert.deepEqual(
      { title: row?.title, severity: row?.severity, category: row?.category, commander: row?.commander },
      { title: 'Newer', severity: 'P0', category: 'data-leak', commander: 'alice' },
    );
    assert.ok(!open.some((x) => x.id === older));
    const sorted = [...open].sort((a, b) => b.declaredAt.localeCompare(a.declaredAt));
    assert.deepEqual(
      open.map((x) => x.id),
      sorted.map((x) => x.id),
    );
    const all = await service.list({ includeClosed: true });
    assert.equal(all.find((x) => x.id === older)?.open, false);
  });

  it('an action whose workflow an operator terminated can still be waived, so the incident can close', async () => {
    const id = await declare({ title: 'Harmful answers', category: 'harmful-output', severity: 'P1' });
    await service.addAction(id, { kind: 'prevent', title: 'Safety eval gate', owner: 'carol' }, 'alice');
    await service.resolve(id, 'alice', 'filter tightened');
    await service.completePostmortem(id, 'alice');
    await harness.client.workflow.getHandle(`${id}-A1`).terminate('operator cleanup');
    let incident = await service.get(id);
    for (let i = 0; i < 50 && !incident.timeline.some((e) => e.type === 'action.failed'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      incident = await service.get(id);
    }
    assert.match(
      incident.timeline.find((e) => e.type === 'action.failed')?.message ?? '(none)',
      /A1 is no longer tracked .*the IC may waive it/,
    );
    assert.equal(incident.status, 'postmortem');
    const waived = await service.waiveAction(id, 'A1', 'alice', 'tracked in the quarterly plan instead');
    assert.deepEqual([waived.status, waived.endedBy], ['waived', 'alice']);
    assert.equal((await service.get(id)).status, 'closed');
  });

  it('answers not-found for an unknown incident', async () => {
    const err = await rejection(service.get('INC-00000'));
    assert.equal(err.kind, 'NotFound');
  });
});
