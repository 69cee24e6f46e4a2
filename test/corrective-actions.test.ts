import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeKpis } from '../app/kpis/compute.js';
import { installTemporalRuntime } from '../app/temporal/runtime.js';
import type { IncidentError } from '../app/incident-error.js';
import type { CorrectiveAction, IncidentState } from '../workflows/types.js';
import { withTimeSkipping } from './support/time-skipping.js';

installTemporalRuntime('ERROR');

const DAY = 86_400_000;
const HOUR = 3_600_000;

const MINUTE = 60_000;

/** 09:00 UTC (the default digest time) on the day of `instant`, and the nearest ones before and after it. */
function digestOn(instant: number): number {
  const day = new Date(instant);
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 9, 0);
}
const digestAtOrBefore = (t: number) => (digestOn(t) <= t ? digestOn(t) : digestOn(t) - DAY);
const digestAtOrAfter = (t: number) => (digestOn(t) >= t ? digestOn(t) : digestOn(t) + DAY);

/** Reminders and escalations of one action as delivered: [scheduled instant, recipient], in order. */
function remindersOf(incident: IncidentState, action: CorrectiveAction): [string, string][] {
  return incident.timeline
    .filter((e) => (e.type === 'action.reminded' || e.type === 'action.escalated') && e.data?.actionId === action.id)
    .map((e): [string, string] => {
      const scheduled = Date.parse(String(e.data?.scheduledFor));
      const delivered = Date.parse(e.at) - scheduled;
      assert.ok(
        delivered >= 0 && delivered < 2 * MINUTE,
        `${e.message}: delivered at ${e.at}, due out at ${String(e.data?.scheduledFor)} plus the 1-minute gathering`,
      );
      return [new Date(scheduled).toISOString(), e.message.replace(/^.*told /, '')];
    })
    .sort(([a, x], [b, y]) => a.localeCompare(b) || x.localeCompare(y));
}

/**
 * What the runbook defaults promise, on the digest times: 3 and 1 days before and on the due date (never
 * late), then daily once overdue; the IC once 2 days overdue, the managers once 7 days overdue (never early).
 */
function expectedReminders(action: CorrectiveAction, owner: string, ic: string, endedAt: number): [string, string][] {
  const due = Date.parse(action.dueAt);
  const at = (t: number) => new Date(t).toISOString();
  const expected: [string, string][] = [
    digestAtOrBefore(due - 3 * DAY),
    digestAtOrBefore(due - DAY),
    digestAtOrBefore(due),
  ].map((t) => [at(t), owner]);
  for (let t = digestAtOrAfter(due + 1); t + MINUTE < endedAt; t += DAY) expected.push([at(t), owner]);
  for (const [t, who] of [
    [digestAtOrAfter(due + 2 * DAY), ic],
    [digestAtOrAfter(due + 7 * DAY), 'group:eng-managers'],
  ] as const) {
    if (t + MINUTE < endedAt) expected.push([at(t), who]);
  }
  assert.ok(
    Date.parse(expected.find(([, who]) => who === ic)![0]) >= due + 2 * DAY,
    'the IC hears no earlier than 2 days overdue',
  );
  return expected.sort(([a, x], [b, y]) => a.localeCompare(b) || x.localeCompare(y));
}

async function rejection(promise: Promise<unknown>): Promise<IncidentError> {
  try {
    await promise;
  } catch (err) {
    return err as IncidentError;
  }
  throw new Error('expected a rejection');
}

describe('corrective actions on the time-skipping server', { concurrency: 1 }, () => {
  it('P1 with three actions: early, late, waived; reminders on schedule; closes when the last ends; 1 of 2 on time', () =>
    withTimeSkipping(async ({ env, service, tickets }) => {
      const { id } = await service.declare({
        title: 'Assistant leaks ticket notes',
        category: 'other',
        severity: 'P1',
        declaredBy: 'alice',
      });
      const early = await service.addAction(
        id,
        { kind: 'prevent', title: 'Filter internal notes from retrieval', owner: 'carol' },
        'alice',
      );
      assert.equal(Date.parse(early.dueAt) - Date.parse(early.addedAt), 30 * DAY, "the runbook's P1 due days");
      await service.resolve(id, 'alice', 'retrieval source disabled');
      const late = await service.addAction(
        id,
        { kind: 'detect', title: 'Alert on internal-note leakage', owner: 'dave' },
        'bob',
      );
      const waived = await service.addAction(
        id,
        { kind: 'mitigate', title: 'Second kill switch', owner: 'erin' },
        'alice',
      );
      await service.completePostmortem(id, 'alice');
      assert.equal((await service.get(id)).status, 'postmortem');

      // Off whole days: the time-skipping server can stall an update that lands on a timer's instant.
      await env.sleep(5 * DAY + HOUR);
      assert.equal((await rejection(service.waiveAction(id, waived.id, 'erin', 'not needed'))).kind, 'NotAuthorized');
      assert.equal((await service.waiveAction(id, waived.id, 'alice', 'the flag from A1 covers it')).status, 'waived');

      await env.sleep(5 * DAY);
      const closedEarly = await service.closeAction(id, early.id, 'carol');
      assert.deepEqual([closedEarly.status, closedEarly.onTime, closedEarly.endedBy], ['closed', true, 'carol']);
      const ticket = await tickets.status(closedEarly.ticket!);
      assert.deepEqual(
        [ticket.closed, ticket.closedBy],
        [true, 'carol'],
        'closing through the API closes the local ticket',
      );

      await env.sleep(28 * DAY + 12 * HOUR); // day 38.5: eight and a half days overdue
      assert.equal((await service.get(id)).status, 'postmortem', 'one action still open');
      const closedLate = await service.closeAction(id, late.id, 'dave');
      assert.deepEqual([closedLate.status, closedLate.onTime], ['closed', false]);

      const incident = await service.get(id);
      assert.equal(incident.status, 'closed');
      assert.ok(
        Date.parse(incident.closedAt!) - Date.parse(closedLate.endedAt!) < 5_000,
        'closes when the last action ends',
      );
      const byId = new Map(incident.actions.map((a) => [a.id, a]));
      const lateReminders = remindersOf(incident, byId.get(late.id)!);
      assert.deepEqual(
        lateReminders,
        expectedReminders(late, 'user:dave', 'ic:alice', Date.parse(closedLate.endedAt!)),
      );
      assert.ok(lateReminders.length >= 12, 'days of nagging before it closed');
      assert.equal(byId.get(late.id)!.escalation, 'managers');
      assert.deepEqual(remindersOf(incident, byId.get(early.id)!), [], 'closed before its first reminder');
      assert.deepEqual(remindersOf(incident, byId.get(waived.id)!), [], 'a waived action is never reminded');
      assert.ok(
        incident.timeline.some(
          (e) => e.type === 'request.refused' && e.actor === 'erin' && e.data?.decision === 'waive-action',
        ),
        'the refused waiver is recorded',
      );
      assert.equal(byId.get(waived.id)!.waiverReason, 'the flag from A1 covers it');
      assert.deepEqual(
        incident.actions.map((a) => a.ticket?.key),
        ['LOCAL-2', 'LOCAL-3', 'LOCAL-4'],
        'each action filed one ticket (LOCAL-1 is the incident record)',
      );
      assert.equal(incident.record?.key, 'LOCAL-1');
      assert.match(incident.postmortem!.markdown, /Alert on internal-note leakage/);

      const kpis = computeKpis([incident], {
        now: new Date(await env.currentTimeMs()),
        since: new Date(Date.parse(incident.declaredAt) - DAY),
      });
      assert.deepEqual(
        [
          kpis.actions.closedOnTime,
          kpis.actions.closedLate,
          kpis.actions.waived,
          kpis.actions.due,
          kpis.actions.onTimeRate,
        ],
        [1, 1, 1, 2, 0.5],
      );

      const result = (await env.client.workflow.getHandle(id).result()) as IncidentState;
      assert.equal(result.status, 'closed', 'the workflow ends once closed');
      assert.ok(
        result.timeline.some((e) => e.type === 'record.closed'),
        'after closing the incident record, postmortem attached',
      );
      assert.equal((await tickets.status(result.record!)).closed, true);
    }));

  it('finds a ticket closed in the tracker by polling, when no webhook tells it', () =>
    withTimeSkipping(
      async ({ env, service, tickets }) => {
        const { id } = await service.declare({
          title: 'Abuse campaign',
          category: 'abuse',
          severity: 'P3',
          declaredBy: 'alice',
        });
        const action = await service.addAction(
          id,
          { kind: 'detect', title: 'Rate-limit alert', owner: 'frank', dueAt: '2099-12-31' },
          'alice',
        );
        await service.resolve(id, 'alice', 'campaign blocked');
        await env.sleep(HOUR);
        const filed = (await service.get(id)).actions[0]!;
        await tickets.close(filed.ticket!.key, 'frank');
        assert.equal((await service.get(id)).actions[0]!.status, 'open', 'nobody told the action');
        await env.sleep(6 * HOUR + 30 * 60_000);
        const incident = await service.get(id);
        assert.deepEqual(
          [incident.actions[0]!.status, incident.actions[0]!.endedBy, incident.actions[0]!.onTime],
          ['closed', 'frank', true],
        );
        assert.equal(incident.status, 'postmortem', 'P3: open a week after resolution, for more actions');
        await env.sleep(7 * DAY);
        assert.equal((await service.get(id)).status, 'closed', 'P3 needs no postmortem sign-off');
        assert.equal(action.dueAt, '2099-12-31T23:59:59.999Z', 'a date alone means the end of that day');
      },
      { ticketPollEvery: '6h' },
    ));

  it('refuses bad actions with the reason', () =>
    withTimeSkipping(async ({ service }) => {
      const { id } = await service.declare({ title: 'x', category: 'other', severity: 'P2', declaredBy: 'alice' });
      const cases: [Parameters<typeof service.addAction>[1], string, RegExp][] = [
        [{ kind: 'prevent', title: 't', owner: 'o', dueAt: '2001-01-01' }, 'InvalidInput', /not in the future/],
        [{ kind: 'prevent', title: 't', owner: 'o', dueAt: 'soon' }, 'InvalidInput', /must be a date/],
        [
          { kind: 'fix' as 'prevent', title: 't', owner: 'o' },
          'InvalidInput',
          /kind must be one of detect, mitigate, prevent/,
        ],
        [{ kind: 'prevent', title: ' ', owner: 'o' }, 'InvalidInput', /title is required/],
      ];
      for (const [request, kind, message] of cases) {
        const error = await rejection(service.addAction(id, request, 'a'));
        assert.equal(error.kind, kind);
        assert.match(error.message, message);
      }
      assert.equal((await service.get(id)).actions.length, 0);
      assert.equal(
        (await rejection(service.completePostmortem(id, 'alice'))).kind,
        'Conflict',
        'no draft before resolution',
      );
      assert.equal((await rejection(service.closeAction(id, 'A9', 'alice'))).kind, 'NotFound');
    }));
});
