// Status updates on the time-skipping server: the runbook's cadence counts from the last update, the IC
// is reminded only when none came in time, a missed window is recorded once, and the KPIs count it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IncidentError } from '../app/incident-error.js';
import { formatKpis } from '../app/cli/format.js';
import { computeKpis } from '../app/kpis/compute.js';
import { installTemporalRuntime } from '../app/temporal/runtime.js';
import { FailureType } from '../workflows/failures.js';
import { statusView } from '../workflows/incident/chat-views.js';
import { readSummaryOf } from '../workflows/read-model.js';
import type { IncidentState } from '../workflows/types.js';
import { withTimeSkipping } from './support/time-skipping.js';

installTemporalRuntime('ERROR');

const minutesAfterDeclaration = (incident: IncidentState, matches: (e: IncidentState['timeline'][number]) => boolean) =>
  incident.timeline
    .filter(matches)
    .map((e) => Math.round((Date.parse(e.at) - Date.parse(incident.declaredAt)) / 60_000));

const reminders = (state: IncidentState) =>
  minutesAfterDeclaration(state, (e) => e.type === 'notification.sent' && /Status update due/.test(e.message));

describe('status updates on the time-skipping server', { concurrency: 1 }, () => {
  it('a P1 (every 1h) updated at 0:40 and 1:30 is reminded once, at 2:30, and the KPIs count it', () =>
    withTimeSkipping(async ({ env, service }) => {
      const { id } = await service.declare({
        title: 'Harmful answers spreading',
        category: 'harmful-output',
        severity: 'P1',
        declaredBy: 'alice',
      });
      await env.sleep('40m');
      const first = await service.postUpdate(id, 'alice', { text: 'Investigating the jailbreak prompt' });
      assert.equal(first.id, 'U1');
      assert.equal(first.visibility, 'internal');
      await env.sleep('50m');
      // A communicator the runbook names (group:comms) may post too.
      const second = await service.postUpdate(
        id,
        { actor: 'priya', via: 'oidc', memberOf: [] },
        {
          text: 'Filter deployed; watching the rate',
          impact: 'Some users saw unsafe answers',
        },
      );
      assert.equal(second.id, 'U2');
      await env.sleep('59m'); // 2:29
      let state = await service.get(id);
      assert.deepEqual(reminders(state), [], 'no reminder while updates come within the hour');
      assert.deepEqual(
        minutesAfterDeclaration(state, (e) => e.type === 'update.overdue'),
        [],
      );
      assert.equal(Math.round((Date.parse(state.statusUpdateDue!) - Date.parse(state.declaredAt)) / 60_000), 150);

      await env.sleep('2m'); // 2:31
      state = await service.get(id);
      assert.deepEqual(reminders(state), [150], 'silence from 1:30: one reminder at 2:30');
      assert.deepEqual(
        minutesAfterDeclaration(state, (e) => e.type === 'update.overdue'),
        [150],
      );
      assert.match(state.timeline.find((e) => e.type === 'update.overdue')!.message, /since the last update \(U2/);
      assert.deepEqual(
        minutesAfterDeclaration(state, (e) => e.type === 'update.posted'),
        [40, 90],
      );
      const { onTime, overdue, overdueSince } = state.updateCadence!;
      assert.deepEqual({ onTime, overdue }, { onTime: 2, overdue: 1 });
      assert.equal(overdueSince, state.timeline.find((e) => e.type === 'update.overdue')!.data?.due);
      assert.deepEqual(readSummaryOf(state).updateCadence, { onTime: 2, overdue: 1 });
      // Every update reached the runbook's groups for P1, with its own key.
      const told = state.timeline.filter(
        (e) => e.type === 'notification.sent' && /Status update U\d+:/.test(e.message),
      );
      assert.deepEqual(
        told.map((e) => e.data?.key),
        [`${id}/update/U1`, `${id}/update/U2`],
      );
      const view = statusView(state, 0);
      assert.equal(view.latestUpdate?.id, 'U2');
      assert.equal(view.latestUpdate?.impact, 'Some users saw unsafe answers');
      assert.equal(view.nextUpdateDue, state.statusUpdateDue);

      // A late update after a missed window is not on time, and restarts the clock.
      await service.postUpdate(id, 'alice', { text: 'Still on it' });
      state = await service.get(id);
      assert.deepEqual(
        { onTime: state.updateCadence?.onTime, overdue: state.updateCadence?.overdue },
        { onTime: 2, overdue: 1 },
      );
      assert.equal(state.updateCadence?.overdueSince, undefined);

      const kpis = computeKpis([{ ...state, id }], { now: new Date(await env.currentTimeMs()), since: new Date(0) });
      assert.deepEqual(kpis.statusUpdates.P1, { due: 3, onTime: 2, overdue: 1, onTimeRate: 2 / 3 });
      assert.match(formatKpis(kpis), /Status updates on time: P1 67 % \(2 of 3 due, 1 missed\)/);
    }));

  it('a promised next update sooner than the cadence is the due time; bad updates are refused', () =>
    withTimeSkipping(async ({ env, service }) => {
      const { id } = await service.declare({
        title: 'Harmful answers spreading',
        category: 'harmful-output',
        severity: 'P1',
        declaredBy: 'alice',
      });
      await env.sleep('10m');
      const refusal = (work: Promise<unknown>) =>
        work.then(
          () => assert.fail('accepted'),
          (err: unknown) => {
            assert.ok(err instanceof IncidentError, String(err));
            return err;
          },
        );
      const notIc = await refusal(service.postUpdate(id, 'bob', { text: 'hello' }));
      assert.equal(notIc.kind, FailureType.notAuthorized);
      assert.match(
        notIc.message,
        /bob may not post a status update .*only the incident commander or members of group comms may/,
      );
      const empty = await refusal(service.postUpdate(id, 'alice', { text: '  ' }));
      assert.equal(empty.kind, FailureType.invalid);
      assert.match(empty.message, /^text is required/);
      const long = await refusal(service.postUpdate(id, 'alice', { text: 'x'.repeat(4_001) }));
      assert.match(long.message, /text is 4001 characters; at most 4000/);
      const impact = await refusal(service.postUpdate(id, 'alice', { text: 'ok', impact: 'y'.repeat(501) }));
      assert.match(impact.message, /impact is 501 characters; at most 500/);
      const past = await refusal(
        service.postUpdate(id, 'alice', { text: 'ok', nextUpdateAt: new Date(Date.now() - 86_400_000).toISOString() }),
      );
      assert.match(past.message, /nextUpdateAt .* is not in the future/);
      const unpublished = await refusal(service.postUpdate(id, 'alice', { text: 'ok', visibility: 'public' }));
      assert.equal(unpublished.kind, FailureType.conflict);
      assert.match(unpublished.message, /incident publish/);

      const nowMs = await env.currentTimeMs();
      await service.postUpdate(id, 'alice', {
        text: 'Next update in 20 minutes',
        nextUpdateAt: new Date(nowMs + 20 * 60_000).toISOString(),
      });
      await env.sleep('25m'); // 0:35: the promise (0:30) was missed, well before the cadence (1:10)
      const state = await service.get(id);
      assert.deepEqual(
        minutesAfterDeclaration(state, (e) => e.type === 'update.overdue'),
        [30],
      );
      assert.deepEqual(reminders(state), [30]);
      assert.deepEqual(
        state.updates?.map((u) => u.id),
        ['U1'],
      );
      assert.equal(state.updates?.length, 1, 'refused updates are not stored');
    }));
});
