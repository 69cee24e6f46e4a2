import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ALERT_INTAKE_SHARDS, alertIntakeWorkflowId, routeAlert, severityLabel } from '../app/alerts/routing.js';
import type { Alert } from '../integrations/alerts/alert.js';
import { loadRunbookLibrary, type RunbookLibrary } from '../runbooks/library.js';
import { repoRoot } from './support/paths.js';

let library: RunbookLibrary;
before(async () => {
  library = await loadRunbookLibrary(join(repoRoot, 'runbooks'));
});

const alert = (labels: Record<string, string>, extra: Partial<Alert> = {}): Alert => ({
  source: 'generic',
  status: 'firing',
  fingerprint: 'fp-1',
  labels,
  annotations: { summary: 'something is off', description: 'the long story' },
  title: 'Something is off',
  startsAt: '2026-11-27T07:00:00.000Z',
  ...extra,
});
const route = (labels: Record<string, string>, extra: Partial<Alert> = {}, receivedGroupKey?: string) =>
  routeAlert(alert(labels, extra), library, {
    commander: 'on-call',
    ...(receivedGroupKey ? { receivedGroupKey } : {}),
  });

describe('alert routing', () => {
  it('takes P0-P3 as they are and the words monitoring uses; nothing usable is undefined', () => {
    assert.deepEqual(
      ['P0', 'p1', 'critical', 'page', 'high', 'error', 'warning', 'info', 'sev9', ''].map((severity) =>
        severityLabel({ severity }),
      ),
      ['P0', 'P1', 'P1', 'P1', 'P2', 'P2', 'P3', 'P3', undefined, undefined],
    );
  });

  it('picks the runbook by a runbook label, else alert matchers, else a category label, else the fallback', () => {
    assert.equal(
      route({ alertname: 'ToxicityRate', runbook: 'model-regression' }).routing.runbookId,
      'model-regression',
    );
    assert.equal(
      route({ alertname: 'ToxicityRate', runbook: 'no-such-runbook' }).routing.runbookId,
      'harmful-output-spike',
      'an unknown runbook label falls through',
    );
    assert.equal(route({ alertname: 'PIIInOutput' }).routing.runbookId, 'sensitive-data-exposure');
    assert.equal(route({ alertname: 'Whatever', category: 'abuse' }).routing.runbookId, 'unbounded-consumption');
    assert.equal(route({ alertname: 'Whatever' }).routing.runbookId, 'generic');
  });

  it('warns when the runbook label names no runbook, naming the label and the runbook used; a valid label, none', () => {
    const category = route({ alertname: 'Whatever', runbook: 'prompt-injection' }).routing;
    assert.equal(category.runbookId, 'generic');
    assert.deepEqual(category.warnings, [
      'Alert label runbook="prompt-injection" names no runbook; routed to "Generic AI incident" (generic). "prompt-injection" is a category; to route by it, label the alert runbook=prompt-injection-tool-misuse.',
    ]);
    const typo = route({ alertname: 'ToxicityRate', runbook: 'model-regresion' }).routing;
    assert.equal(typo.runbookId, 'harmful-output-spike');
    assert.match(
      typo.warnings?.[0] ?? '',
      /^Alert label runbook="model-regresion" names no runbook; routed to ".+" \(harmful-output-spike\)\. Runbooks: .*model-regression/,
    );
    assert.equal(route({ alertname: 'ToxicityRate', runbook: 'model-regression' }).routing.warnings, undefined);
    assert.equal(route({ alertname: 'ToxicityRate' }).routing.warnings, undefined);
  });

  it('a severity label, else the runbook default; the alert becomes the incident summary', () => {
    const routed = route({ alertname: 'PIIInOutput', severity: 'warning', service: 'assistant' });
    assert.deepEqual(routed.routing, {
      runbookId: 'sensitive-data-exposure',
      severity: 'P3',
      severityFrom: 'alert',
      category: 'data-leak',
      title: 'Something is off',
      description: 'the long story',
      commander: 'on-call',
      declaredBy: 'generic',
      service: 'assistant',
    });
    assert.equal(route({ alertname: 'PIIInOutput' }).routing.severity, 'P1', "sensitive-data-exposure's default");
    assert.equal(
      route({ alertname: 'PIIInOutput' }).routing.severityFrom,
      'runbook',
      "the default is the runbook's word: it may arm pre-approvals",
    );
    assert.deepEqual(routed.summary, {
      fingerprint: 'fp-1',
      status: 'firing',
      title: 'Something is off',
      startsAt: '2026-11-27T07:00:00.000Z',
    });
  });

  it("groups by the sender's key, else by runbook and identifying labels, never by instance", () => {
    assert.equal(
      route({ alertname: 'PIIInOutput' }, {}, '{}:{alertname="PIIInOutput"}').groupKey,
      '{}:{alertname="PIIInOutput"}',
    );
    assert.equal(route({ alertname: 'PIIInOutput' }, { groupKey: 'cycle-42' }).groupKey, 'cycle-42');
    const a = route({ alertname: 'PIIInOutput', service: 'assistant', instance: 'pod-1' }, { fingerprint: 'x' });
    const b = route({ alertname: 'PIIInOutput', service: 'assistant', instance: 'pod-2' }, { fingerprint: 'y' });
    assert.equal(a.groupKey, 'sensitive-data-exposure:alertname=PIIInOutput,service=assistant');
    assert.equal(a.groupKey, b.groupKey, 'two pods, one incident');
    assert.equal(alertIntakeWorkflowId(a.groupKey), alertIntakeWorkflowId(b.groupKey), 'one group, one intake');
  });

  it('spreads group keys over every intake shard, the same shard for a key every time', () => {
    const shards = new Set(Array.from({ length: 500 }, (_, i) => alertIntakeWorkflowId(`{}:{alertname="Alert${i}"}`)));
    assert.deepEqual(
      [...shards].sort(),
      Array.from({ length: ALERT_INTAKE_SHARDS }, (_, i) => `alert-intake-${String(i).padStart(2, '0')}`),
    );
    assert.equal(alertIntakeWorkflowId('cycle-42'), alertIntakeWorkflowId('cycle-42'));
  });
});
