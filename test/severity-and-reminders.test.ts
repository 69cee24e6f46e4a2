import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { installTemporalRuntime } from '../app/temporal/runtime.js';
import type { IncidentState } from '../workflows/types.js';
import { withTimeSkipping } from './support/time-skipping.js';

installTemporalRuntime('ERROR');

const minutesAfterDeclaration = (incident: IncidentState, type: string) =>
  incident.timeline
    .filter((e) => e.type === type)
    .map((e) => Math.round((Date.parse(e.at) - Date.parse(incident.declaredAt)) / 60_000));

describe('severity and cadence on the time-skipping server', { concurrency: 1 }, () => {
  it('raising severity re-applies the runbook: tighter timeouts, pre-approval, more stakeholders', () =>
    withTimeSkipping(async ({ env, service, flags }) => {
      const { id } = await service.declare({
        title: 'Injection via web page',
        category: 'prompt-injection',
        severity: 'P2',
        declaredBy: 'alice',
      });
      await env.sleep('10m');
      assert.equal(
        (await service.get(id)).steps[0]?.status,
        'pending',
        'at P2 nothing is pre-approved and 15m have not passed',
      );
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
      assert.match(
        state.timeline.find((e) => e.type === 'containment.auto-approved')!.message,
        /pre-approved at P0 and no decision within 5m/,
      );
      const notified = state.timeline.filter((e) => e.type === 'notification.sent').map((e) => e.message);
      assert.ok(notified.includes('Notified support-leads: Incident declared'));
      assert.ok(notified.includes('Notified exec-staff, security-leadership: Severity P2 → P0'));
      assert.ok(
        notified.includes(
          'Notified ic:alice, group:safety-oncall: Runs in 5m unless decided: Disable the send-email tool for the assistant',
        ),
        'approvers hear that a raise armed a pre-approval',
      );
      assert.equal(state.mitigationTarget, '4h');
      assert.deepEqual(
        state.timeline.filter((e) => e.type === 'page.sent').map((e) => e.message),
        ['Paged security-oncall, safety-oncall: severity P2 → P0, via the server log'],
        'P2 pages nobody; P0 pages its rotations',
      );
    }));

  it('a raise by someone who may not approve a step does not arm its pre-approval', () =>
    withTimeSkipping(async ({ env, service, flags }) => {
      const { id } = await service.declare({
        title: 'Injection via web page',
        category: 'prompt-injection',
        severity: 'P2',
        declaredBy: 'alice',
      });
      // maria may set P0 (group incident-commanders) but may not approve the tool steps (IC or safety-oncall).
      await service.setSeverity(id, 'maria', 'P0');
      await env.sleep('20m');
      const state = await service.get(id);
      assert.deepEqual(
        state.steps.map((s) => [s.id, s.status]),
        [
          ['disable-send-email', 'pending'],
          ['disable-web-browse', 'pending'],
          ['kill-assistant', 'pending'],
        ],
        'nothing ran unattended',
      );
      assert.equal((await flags.readFlag('agent-tools.send-email.enabled')).on, true);
      const withheld = state.timeline.filter((e) => e.type === 'approval.pre-approval-withheld');
      assert.deepEqual(
        withheld.map((e) => e.data?.stepId),
        ['disable-send-email', 'disable-web-browse'],
      );
      assert.match(
        withheld[0]!.message,
        /pre-approved at P0, but maria set P0 and may not approve it: it waits for a decision/,
      );
      assert.ok(
        state.timeline.some((e) => e.type === 'approval.escalated'),
        'the wait escalates as usual instead',
      );
    }));

  it("an alert's own severity label does not arm pre-approvals; a runbook severity rule does", () =>
    withTimeSkipping(async ({ env, service }) => {
      const start = (severityFrom: 'alert' | 'runbook') =>
        env.client.workflow.start('incidentWorkflow', {
          taskQueue: 'ts',
          workflowId: `INC-${severityFrom === 'alert' ? 'ALRT0' : 'RULE0'}`,
          args: [
            {
              id: `INC-${severityFrom === 'alert' ? 'ALRT0' : 'RULE0'}`,
              title: 'Tool misuse alert',
              category: 'prompt-injection',
              severity: 'P0',
              description: '',
              commander: 'alice',
              declaredBy: 'alertmanager',
              declaredVia: 'webhook',
              severityFrom,
              runbookId: 'prompt-injection-tool-misuse',
            },
          ],
        });
      await start('alert');
      await start('runbook');
      await env.sleep('6m');
      const byLabel = await service.get('INC-ALRT0');
      const byRule = await service.get('INC-RULE0');
      assert.equal(byLabel.steps[0]?.status, 'pending');
      assert.match(
        byLabel.timeline.find((e) => e.type === 'approval.pre-approval-withheld')?.message ?? '',
        /an alert's severity label set P0/,
      );
      assert.equal(byRule.steps[0]?.status, 'verified');
      assert.equal(byRule.steps[0]?.decision?.by, 'system');
    }));

  it('reminds the IC to post status updates at the cadence of the current severity, until resolved', () =>
    withTimeSkipping(async ({ env, service }) => {
      const { id } = await service.declare({
        title: 'Jailbreak spreading',
        category: 'jailbreak',
        severity: 'P1',
        declaredBy: 'alice',
      });
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
        [
          'Paged safety-oncall: declared, via the server log',
          'Paged security-oncall: severity P1 → P0, via the server log',
        ],
        'a rotation already paged is not paged again',
      );
      assert.deepEqual(state.paged, ['safety-oncall', 'security-oncall']);
    }));
});
