import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { installTemporalRuntime } from '../app/temporal/runtime.js';
import type { IncidentState } from '../workflows/types.js';
import { withTimeSkipping } from './support/time-skipping.js';

installTemporalRuntime('ERROR');

const minutesAfterDeclaration = (incident: IncidentState, type: string) =>
  incident.timeline.filter((e) => e.type === type).map((e) => Math.round((Date.parse(e.at) - Date.parse(incident.declaredAt)) / 60_000));

describe('severity and cadence on the time-skipping server', { concurrency: 1 }, () => {
  it('raising severity re-applies the runbook: tighter timeouts, pre-approval, more stakeholders', () =>
    withTimeSkipping(async ({ env, service, flags }) => {
      const { id } = await service.declare({ title: 'Injection via web page', category: 'prompt-injection', severity: 'P2', declaredBy: 'alice' });
      await env.sleep('10m');
      assert.equal((await service.get(id)).steps[0]?.status, 'pending', 'at P2 nothing is pre-approved and 15m have not passed');
      await service.setSeverity(id, 'alice', 'P0');
      await env.sleep('6m'); // P0's 5m timeout, restarted at the change
      const state = await service.get(id);
      assert.deepEqual(
        state.steps.map((s) => [s.id, s.status, s.decision?.by]),
        [
          ['disable-send-email', 'verified', 'system'],
          ['disable-web-browse', 'verified', 'system'],
          ['kill-assistant', 'pending', undefined],
        ],
      );
      assert.equal((await flags.readFlag('agent-tools.send-email.enabled')).on, false);
      assert.deepEqual(minutesAfterDeclaration(state, 'containment.auto-approved'), [15, 15]);
      assert.match(state.timeline.find((e) => e.type === 'containment.auto-approved')!.message, /pre-approved at P0 and no decision within 5m/);
      const notified = state.timeline.filter((e) => e.type === 'notification.sent').map((e) => e.message);
      assert.deepEqual(notified.slice(0, 2), ['Notified support-leads: Incident declared', 'Notified exec-staff, security-leadership: Severity P2 → P0']);
      assert.equal(state.mitigationTarget, '4h');
      assert.deepEqual(
        state.timeline.filter((e) => e.type === 'page.sent').map((e) => e.message),
        ['Paged security-oncall, safety-oncall: severity P2 → P0, via the server log'],
        'P2 pages nobody; P0 pages its rotations',
      );
    }));

  it('reminds the IC to post status updates at the cadence of the current severity, until resolved', () =>
    withTimeSkipping(async ({ env, service }) => {
      const { id } = await service.declare({ title: 'Jailbreak spreading', category: 'jailbreak', severity: 'P1', declaredBy: 'alice' });
      // Off the hour: the time-skipping server can stall an update that lands on the instant a timer fires.
      await env.sleep('170m'); // P1: every hour
      await service.setSeverity(id, 'alice', 'P0');
      await env.sleep('70m'); // P0: every 30 minutes, counted from the change
      await service.resolve(id, 'alice', 'contained');
      await env.sleep('5h');
      const state = await service.get(id);
      const reminders = minutesAfterDeclaration(state, 'notification.sent').filter((_, i) =>
        /Status update due/.test(state.timeline.filter((e) => e.type === 'notification.sent')[i]!.message),
      );
      assert.deepEqual(reminders, [60, 120, 200, 230]);
      assert.deepEqual(
        state.timeline.filter((e) => e.type === 'page.sent').map((e) => e.message),
        ['Paged safety-oncall: declared, via the server log', 'Paged security-oncall: severity P1 → P0, via the server log'],
        'a rotation already paged is not paged again',
      );
      assert.deepEqual(state.paged, ['safety-oncall', 'security-oncall']);
    }));
});
