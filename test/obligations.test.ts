// Classifications start obligations' clocks in the incident (issue 21): who may classify, what a
// classification must carry, clocks from an earlier awareness, withdrawal, closure held for a report
// owed, and a clock that keeps its absolute times through continue-as-new.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { IncidentError } from '../app/incident-error.js';
import { IncidentService } from '../app/incident-service.js';
import { installTemporalRuntime } from '../app/temporal/runtime.js';
import type { IncidentState } from '../workflows/types.js';
import { eventually } from './support/eventually.js';
import { withTimeSkipping } from './support/time-skipping.js';

installTemporalRuntime('ERROR');

const HOUR = 3_600_000;
const dataLeak = {
  title: 'Retrieval returns other customers’ tickets',
  category: 'data-leak',
  severity: 'P1',
} as const;

const hoursAfterAwareness = (incident: IncidentState, type: string) => {
  const aware = Date.parse(incident.obligations![0]!.awareAt);
  return incident.timeline
    .filter((e) => e.type === type)
    .map((e) => Math.round(((Date.parse(e.at) - aware) / HOUR) * 10) / 10);
};

const refusedWith = (kind: string, message: RegExp) => (err: unknown) =>
  err instanceof IncidentError && err.kind === kind && message.test(err.message);

describe('classifying an incident', { concurrency: 1 }, () => {
  it('is refused to who may not (403, recorded), for an awareAt in the future, and for an unknown classification', () =>
    withTimeSkipping(async ({ service }) => {
      const { id } = await service.declare({ ...dataLeak, declaredBy: 'alice' });
      await assert.rejects(
        service.classify(id, { classification: 'personal-data-breach', reason: 'tickets of others' }, 'mallory'),
        refusedWith('NotAuthorized', /^mallory may not classify INC-\w+: only the incident commander may$/),
      );
      const refused = await eventually(
        () => service.get(id),
        (s) => s.timeline.some((e) => e.type === 'request.refused'),
        'the refusal is recorded',
      );
      const entry = refused.timeline.find((e) => e.type === 'request.refused')!;
      assert.equal(entry.actor, 'mallory');
      assert.equal(entry.data?.decision, 'classify');

      const future = new Date(Date.now() + 10 * 24 * HOUR).toISOString();
      await assert.rejects(
        service.classify(id, { classification: 'personal-data-breach', awareAt: future, reason: 'x' }, 'alice'),
        refusedWith('InvalidInput', /^awareAt .* is in the future/),
      );
      await assert.rejects(
        service.classify(id, { classification: 'serious-incident', reason: 'x' }, 'alice'),
        refusedWith('InvalidInput', /unknown to runbook sensitive-data-exposure \(known: personal-data-breach\)/),
      );
      await assert.rejects(
        service.classify(id, { classification: 'personal-data-breach', reason: ' ' }, 'alice'),
        refusedWith('InvalidInput', /^reason is required$/),
      );
      const state = await service.get(id);
      assert.equal(state.obligations, undefined, 'nothing refused started a clock');
      assert.equal(state.classifications, undefined);
    }));

  it('starts the clock at the awareness time entered: earlier reminders skipped, the deadline from then; who, when, why recorded', () =>
    withTimeSkipping(async ({ env, service }) => {
      const { id } = await service.declare({ ...dataLeak, declaredBy: 'alice' });
      const now = await env.currentTimeMs();
      const awareAt = new Date(now - 40 * HOUR).toISOString();
      const state = await service.classify(
        id,
        { classification: 'personal-data-breach', awareAt, reason: 'retrieval leaked names and e-mails' },
        { actor: 'alice', via: 'oidc' },
      );
      const clock = state.obligations![0]!;
      assert.equal(clock.dueAt, new Date(now - 40 * HOUR + 72 * HOUR).toISOString());
      assert.deepEqual(
        clock.reminders.map((r) => [r.percent, r.skipped ?? false]),
        [
          [50, true],
          [75, false],
          [90, false],
        ],
      );
      assert.deepEqual(state.classifications, [
        {
          classification: 'personal-data-breach',
          awareAt,
          by: 'alice',
          via: 'oidc',
          at: state.classifications![0]!.at,
          reason: 'retrieval leaked names and e-mails',
        },
      ]);
      const classified = state.timeline.find((e) => e.type === 'obligation.classified')!;
      assert.equal(classified.via, 'oidc');
      await assert.rejects(
        service.classify(id, { classification: 'personal-data-breach', reason: 'again' }, 'alice'),
        refusedWith('Conflict', /was classified personal-data-breach by alice/),
      );

      await env.sleep(33 * HOUR);
      const after = await service.get(id);
      assert.deepEqual(hoursAfterAwareness(after, 'obligation.reminded'), [54, 64.8]);
      assert.deepEqual(hoursAfterAwareness(after, 'obligation.overdue'), [72]);
      assert.equal(after.obligations![0]!.status, 'overdue');
    }));

  it('withdrawn, with a reason, its clock stops; an obligation owed holds the incident open until it is submitted', () =>
    withTimeSkipping(async ({ env, service }) => {
      const { id } = await service.declare({ ...dataLeak, declaredBy: 'alice' });
      await service.classify(id, { classification: 'personal-data-breach', reason: 'looked like PII' }, 'alice');
      await assert.rejects(
        service.unclassify(id, 'personal-data-breach', 'alice', ''),
        refusedWith('InvalidInput', /^reason is required$/),
      );
      await service.unclassify(id, 'personal-data-breach', 'alice', 'synthetic test data, no real person');
      await env.sleep(73 * HOUR);
      let state = await service.get(id);
      assert.equal(state.obligations![0]!.status, 'withdrawn');
      assert.equal(state.timeline.filter((e) => e.type === 'obligation.overdue').length, 0);
      assert.equal(state.timeline.filter((e) => e.type === 'obligation.reminded').length, 0);
      assert.equal(state.classifications![0]!.withdrawn?.reason, 'synthetic test data, no real person');

      // Classified again: a new clock, which keeps the incident open past its postmortem.
      await service.classify(id, { classification: 'personal-data-breach', reason: 'real PII after all' }, 'alice');
      await service.resolve(id, 'alice', 'Ticket source off');
      state = await service.completePostmortem(id, 'alice');
      assert.equal(state.status, 'postmortem', 'a report is owed: not closed');
      await service.submitObligation(
        id,
        { obligationId: 'gdpr-art-33', phase: 'initial', reference: 'DPA-2026-0142' },
        'rita', // the responsible group (privacy-office) may record it
      );
      state = await eventually(
        () => service.get(id),
        (s) => s.status === 'closed',
        'closes once the report is in',
      );
      assert.deepEqual(
        state.obligations!.map((o) => [o.status, o.onTime]),
        [
          ['withdrawn', undefined],
          ['met', true],
        ],
      );
    }));

  it('keeps its absolute times through continue-as-new: reminders and the deadline fire once, on time', () =>
    withTimeSkipping(async ({ env, runbooks, tickets, dataDir }) => {
      const service = new IncidentService(env.client, { taskQueue: 'ts', runbooks, tickets, continueAfterEvents: 60 });
      const { id } = await service.declare({ ...dataLeak, declaredBy: 'alice' });
      const firstRun = (await env.client.workflow.getHandle(id).describe()).runId;
      await service.classify(id, { classification: 'personal-data-breach', reason: 'names and e-mails' }, 'alice');
      await env.sleep(73 * HOUR);
      const state = await service.get(id);
      assert.notEqual((await env.client.workflow.getHandle(id).describe()).runId, firstRun, 'continued as new');
      assert.deepEqual(hoursAfterAwareness(state, 'obligation.reminded'), [36, 54, 64.8]);
      assert.deepEqual(hoursAfterAwareness(state, 'obligation.overdue'), [72]);
      const subjects = (await readFile(join(dataDir, 'notifications.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { incidentId: string; subject: string; audience?: string[] })
        .filter((n) => n.incidentId === id && /GDPR Art\. 33/.test(n.subject))
        .map((n) => n.subject.replace(/:.*/, ''));
      assert.deepEqual(subjects, [
        'Obligation started',
        'GDPR Art. 33 due in 36h',
        'GDPR Art. 33 due in 18h',
        'GDPR Art. 33 due in 7.2h',
        'OVERDUE',
      ]);
    }));
});
