import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runDrill } from '../app/drill.js';
import { installTemporalRuntime } from '../app/temporal/runtime.js';
import { loadRunbookLibrary, selectRunbook } from '../runbooks/library.js';
import type { IncidentState } from '../workflows/types.js';
import { fixturesDir, repoRoot } from './support/paths.js';

installTemporalRuntime('ERROR');

const runbooksDir = join(repoRoot, 'runbooks');
const library = await loadRunbookLibrary(runbooksDir);

const entriesFor = (incident: IncidentState, type: string, stepId: string) =>
  incident.timeline.filter((e) => e.type === type && e.data?.stepId === stepId);

// Drills run on the time-skipping test server, one at a time (its clock is global).
describe('drills of every runbook in the library', { concurrency: 1 }, () => {
  for (const { runbook } of library.runbooks) {
    const steps = runbook.containment;

    it(`${runbook.id}: every step approved → executed, verified, mitigated within target`, async () => {
      const report = await runDrill({ runbookId: runbook.id, runbooksDir, decisions: steps.map(() => 'approve') });
      assert.deepEqual(
        report.played.map((p) => [p.stepId, p.status]),
        steps.map((s) => [s.id, 'verified']),
      );
      for (const step of steps) {
        assert.equal(
          entriesFor(report.incident, 'containment.approved', step.id).length,
          1,
          `${step.id} approved once`,
        );
        assert.equal(
          entriesFor(report.incident, 'containment.verified', step.id).length,
          1,
          `${step.id} verified once`,
        );
      }
      assert.ok(report.incident.mitigatedAt);
      assert.equal(report.targetMet ?? true, true);
      assert.equal(report.incident.status, 'closed');
    });

    it(`${runbook.id}: every step rejected → nothing changes and it is never mitigated`, async () => {
      const report = await runDrill({ runbookId: runbook.id, runbooksDir, decisions: steps.map(() => 'reject') });
      assert.deepEqual(
        report.played.map((p) => p.status),
        steps.map(() => 'rejected'),
      );
      assert.equal(report.incident.mitigatedAt, undefined);
      assert.equal(report.timeToMitigateMs, undefined);
      assert.equal(report.incident.timeline.filter((e) => e.type === 'containment.executed').length, 0);
    });

    it(`${runbook.id}: every step left to time out → pre-approved steps run, the others escalate`, async () => {
      const severity = runbook.severity.default;
      const report = await runDrill({ runbookId: runbook.id, runbooksDir, decisions: steps.map(() => 'timeout') });
      for (const step of steps) {
        const final = report.incident.steps.find((s) => s.id === step.id)!;
        if (step.approval.preApprovedAt.includes(severity)) {
          assert.equal(final.status, 'verified', `${step.id} is pre-approved at ${severity}`);
          assert.equal(final.decision?.by, 'system');
          assert.equal(entriesFor(report.incident, 'containment.auto-approved', step.id).length, 1);
        } else {
          assert.equal(final.status, 'expired', `${step.id} was never decided`);
          const escalations = entriesFor(report.incident, 'approval.escalated', step.id).length;
          const overdue = entriesFor(report.incident, 'approval.overdue', step.id).length;
          assert.ok(
            step.approval.escalation.length ? escalations >= 1 : overdue === 1,
            `${step.id} neither escalated nor overdue`,
          );
        }
      }
    });
  }
});

describe('a drill named by category', () => {
  it('plays the runbook declaring with the category would choose, declared in that category', async () => {
    const expected = selectRunbook(library, { category: 'prompt-injection' }).runbook;
    const report = await runDrill({ runbookId: 'prompt-injection', runbooksDir });
    assert.equal(report.runbook.id, expected.id);
    assert.equal(report.incident.category, 'prompt-injection');
    assert.deepEqual(
      report.played.map((p) => [p.stepId, p.status]),
      expected.containment.map((s) => [s.id, 'verified']),
    );
  });

  it('refuses a name that is neither, listing the runbooks and the categories', async () => {
    await assert.rejects(runDrill({ runbookId: 'prompt-injections', runbooksDir }), {
      name: 'UnknownDrillRunbookError',
      message:
        /^No runbook or category "prompt-injections" \(runbooks: .*prompt-injection-tool-misuse.*; categories: .*prompt-injection, /,
    });
  });
});

describe('a two-week escalation chain on the time-skipping server', () => {
  it('escalates level by level every two days, then reports the step overdue', async () => {
    const report = await runDrill({
      runbookId: 'escalation-chain',
      runbooksDir: join(fixturesDir, 'runbooks-escalation'),
      decisions: ['ignore'],
    });
    const start = Date.parse(report.incident.declaredAt);
    const hoursAfter = (type: string) =>
      report.incident.timeline
        .filter((e) => e.type === type)
        .map((e) => Math.round((Date.parse(e.at) - start) / 3_600_000));
    assert.deepEqual(hoursAfter('approval.escalated'), [48, 96, 144, 192, 240, 288]);
    assert.deepEqual(hoursAfter('approval.overdue'), [336]);
    const told = report.incident.timeline
      .map((e) => /^Notified (.+): Decision needed/.exec(e.message)?.[1])
      .filter(Boolean);
    assert.deepEqual(told, [
      'group:safety-oncall',
      'group:safety-leads',
      'group:eng-managers',
      'group:directors',
      'group:vp-engineering',
      'group:cto',
    ]);
    assert.match(
      report.incident.timeline.find((e) => e.type === 'approval.overdue')!.message,
      /no one left to escalate to/,
    );
    assert.deepEqual(report.incident.steps[0]?.approvers, [
      'ic',
      'group:safety-oncall',
      'group:safety-leads',
      'group:eng-managers',
      'group:directors',
      'group:vp-engineering',
      'group:cto',
    ]);
  });
});
