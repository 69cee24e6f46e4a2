// `incident drill RUNBOOK --classify C` plays an obligation's clock on the time-skipping server (issue 21).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runDrill } from '../app/drill.js';
import { computeKpis } from '../app/kpis/compute.js';
import { obligationDraft, renderObligationDraft } from '../app/obligation-drafts.js';
import { installTemporalRuntime } from '../app/temporal/runtime.js';
import type { IncidentState } from '../workflows/types.js';
import { repoRoot } from './support/paths.js';

installTemporalRuntime('ERROR');

const runbooksDir = join(repoRoot, 'runbooks');
const HOUR = 3_600_000;

const hoursAfterAwareness = (incident: IncidentState, type: string) => {
  const aware = Date.parse(incident.obligations![0]!.awareAt);
  return incident.timeline
    .filter((e) => e.type === type)
    .map((e) => Math.round(((Date.parse(e.at) - aware) / HOUR) * 10) / 10);
};
const notified = (incident: IncidentState, subject: RegExp) =>
  incident.timeline.filter((e) => e.type === 'notification.sent' && subject.test(e.message)).map((e) => e.message);
const kpisOf = (incident: IncidentState) =>
  computeKpis([incident], { now: new Date(incident.closedAt!), since: new Date(incident.declaredAt) }).obligations;

describe('drills of obligations', { concurrency: 1 }, () => {
  it('GDPR Art. 33, nothing submitted: reminders at 36h, 54h, 64.8h, overdue at 72h; a late report needs its reasons', async () => {
    const report = await runDrill({
      runbookId: 'sensitive-data-exposure',
      runbooksDir,
      classify: { classification: 'personal-data-breach' },
    });
    const { incident } = report;
    assert.deepEqual(hoursAfterAwareness(incident, 'obligation.reminded'), [36, 54, 64.8]);
    assert.deepEqual(hoursAfterAwareness(incident, 'obligation.overdue'), [72]);
    assert.match(
      notified(incident, /OVERDUE: GDPR Art\. 33/)[0] ?? '',
      /^Notified group:eng-managers, group:privacy-office, ic:drill-ic: /,
      'the managers are told, with the privacy office and the IC',
    );
    assert.equal(notified(incident, /GDPR Art\. 33 due in/).length, 3);
    const [play] = report.obligations!;
    assert.deepEqual(
      play!.attempts.map((a) => [a.withReasons, a.outcome.replace(/:.*/s, '')]),
      [
        [false, 'refused'],
        [true, 'accepted'],
      ],
    );
    assert.match(play!.attempts[0]!.outcome, /reasons are required/);
    assert.deepEqual(
      incident.obligations!.map((o) => [o.status, o.onTime, o.submissions[0]?.late]),
      [['met', false, true]],
    );
    assert.deepEqual(
      { metOnTime: kpisOf(incident).metOnTime, metLate: kpisOf(incident).metLate },
      { metOnTime: 0, metLate: 1 },
    );
    assert.equal(incident.status, 'closed');
  });

  it('GDPR Art. 33, reported at 20h: no overdue, and the KPI counts it on time', async () => {
    const report = await runDrill({
      runbookId: 'sensitive-data-exposure',
      runbooksDir,
      classify: { classification: 'personal-data-breach', submitAt: '20h' },
    });
    const { incident } = report;
    assert.deepEqual(hoursAfterAwareness(incident, 'obligation.submitted'), [20]);
    assert.deepEqual(hoursAfterAwareness(incident, 'obligation.reminded'), [], 'the report stops the reminders');
    assert.deepEqual(hoursAfterAwareness(incident, 'obligation.overdue'), []);
    assert.deepEqual(kpisOf(incident), {
      total: 1,
      metOnTime: 1,
      metLate: 0,
      overdue: 0,
      open: 0,
      withdrawn: 0,
      onTimeRate: 1,
    });
    assert.deepEqual(report.obligationKpis, kpisOf(incident));
  });

  it('EU AI Act Art. 73, a death: the 10-day clock, its reminders, overdue at 10d', async () => {
    const report = await runDrill({
      runbookId: 'harmful-output-spike',
      runbooksDir,
      classify: { classification: 'serious-incident:death' },
    });
    const { incident } = report;
    assert.deepEqual(
      incident.obligations!.map((o) => [o.id, o.deadline]),
      [['ai-act-death', '10d']],
    );
    assert.deepEqual(hoursAfterAwareness(incident, 'obligation.reminded'), [120, 180, 216]);
    assert.deepEqual(hoursAfterAwareness(incident, 'obligation.overdue'), [240]);
    assert.deepEqual(
      report.obligations![0]!.attempts.map((a) => a.outcome.replace(/:.*/s, '')),
      ['refused', 'accepted'],
    );
  });

  it('drafts the GDPR Art. 33(3) report: every item named, filled from the incident or "not yet known"', async () => {
    const report = await runDrill({
      runbookId: 'sensitive-data-exposure',
      runbooksDir,
      classify: { classification: 'personal-data-breach', submitAt: '2h' },
    });
    const draft = obligationDraft(report.incident, 'gdpr-art-33')!;
    const gdpr = draft.sections[0]!;
    assert.deepEqual(
      gdpr.items.map((i) => [i.id, i.known]),
      [
        ['33-3-a-nature', true],
        ['33-3-a-data-categories', false], // the drill ticks no triage item
        ['33-3-a-subjects-records', false],
        ['33-3-b-contact', true],
        ['33-3-c-consequences', false],
        ['33-3-d-measures-taken', true], // the containment steps that ran
        ['33-3-d-measures-proposed', false],
        ['33-1-aware', true],
        ['33-1-delay', false],
      ],
    );
    const markdown = renderObligationDraft(draft);
    for (const letter of ['(a)', '(b)', '(c)', '(d)']) assert.ok(markdown.includes(`**${letter}`), letter);
    assert.match(markdown, /\*\*\(a\) Categories of personal data concerned\*\*: _not yet known_/);
    assert.match(markdown, /Stop retrieving from the customer-ticket source .*verified, approved by drill-ic/);
    assert.match(markdown, /## NIST AI 600-1 GV-4\.3-002/);
  });
});
