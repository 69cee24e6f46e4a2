import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IncidentState } from '../workflows/types.js';
import { renderPostmortem } from '../workflows/incident/postmortem.js';

const at = (minutes: number) => new Date(Date.UTC(2025, 2, 14, 9, 0) + minutes * 60_000).toISOString();

function resolvedIncident(): IncidentState {
  return {
    id: 'INC-7K3QX',
    title: 'Assistant emails | exfiltrates docs',
    category: 'prompt-injection',
    severity: 'P1',
    description: 'A web page told the agent to mail internal documents to an outside address.',
    status: 'postmortem',
    commander: 'alice',
    declaredBy: 'bob',
    detectedAt: at(-12),
    declaredAt: at(0),
    acknowledgedAt: at(3),
    mitigatedAt: at(52),
    resolvedAt: at(180),
    summary: 'Send-email tool disabled; the injected page was blocked at the browse proxy.',
    runbook: {
      id: 'prompt-injection-tool-misuse',
      title: 'Prompt injection: tool misuse',
      file: 'runbooks/x.yaml',
      hash: 'abc',
    },
    mitigationTarget: '1h',
    triage: [],
    steps: [
      {
        id: 'disable-send-email',
        kind: 'flag',
        title: 'Disable the send-email tool',
        description: 'Turn the tool off for every tenant.',
        target: 'flag agent-tools.send-email.enabled off',
        approvers: ['ic', 'group:security-leads'],
        escalationLevel: 1,
        status: 'verified',
        decision: { outcome: 'approved', by: 'carol', at: at(50), reason: 'stop the bleeding' },
        result: 'agent-tools.send-email.enabled is off (read back)',
      },
      {
        id: 'kill-assistant',
        kind: 'flag',
        title: 'Turn the assistant off',
        description: 'Last resort.',
        target: 'flag assistant.enabled off',
        approvers: ['ic'],
        escalationLevel: 0,
        status: 'rejected',
        decision: { outcome: 'rejected', by: 'alice', at: at(55), reason: 'email already off; too broad' },
      },
      {
        id: 'undo-disable-send-email',
        kind: 'undo',
        title: 'Re-enable the send-email tool',
        description: 'Reverse disable-send-email.',
        target: 'flag agent-tools.send-email.enabled on',
        approvers: ['ic'],
        escalationLevel: 0,
        status: 'pending',
        undoes: 'disable-send-email',
      },
    ],
    notified: ['support-leads'],
    paged: ['security-oncall'],
    actions: [
      {
        id: 'A1',
        kind: 'prevent',
        title: 'Require confirmation | for outbound email',
        owner: 'dave',
        dueAt: '2025-03-28T00:00:00.000Z',
        addedBy: 'alice',
        addedAt: at(200),
        status: 'open',
        ticket: { provider: 'jira', key: 'SEC-42' },
        escalation: 'owner',
        reminders: 0,
      },
    ],
    timeline: [
      {
        at: at(0),
        type: 'declared',
        actor: 'bob',
        message: 'Declared P1 prompt-injection: Assistant emails | exfiltrates docs',
      },
      { at: at(0), type: 'notification.sent', actor: 'system', message: 'Notified support-leads: Incident declared' },
      { at: at(0), type: 'page.failed', actor: 'system', message: 'Could not page security-oncall: 503' },
      {
        at: at(1),
        type: 'containment.proposed',
        actor: 'system',
        message: 'Proposed "disable-send-email": Disable the send-email tool (needs approval)',
      },
      {
        at: at(16),
        type: 'approval.escalated',
        actor: 'system',
        message: 'No decision on "Disable the send-email tool" within 15m: escalated to security-leads',
      },
      {
        at: at(50),
        type: 'containment.approved',
        actor: 'carol',
        message: 'Approved "Disable the send-email tool": stop the bleeding',
      },
      {
        at: at(51),
        type: 'containment.verified',
        actor: 'system',
        message: 'agent-tools.send-email.enabled is off\n(read back)',
      },
      {
        at: at(52),
        type: 'status.mitigated',
        actor: 'system',
        message: 'Mitigated by "Disable the send-email tool" 52m after declaration (within the 1h target)',
        data: { timeToMitigateMs: 52 * 60_000, target: '1h', breached: false },
      },
      {
        at: at(55),
        type: 'containment.rejected',
        actor: 'alice',
        message: 'Rejected "Turn the assistant off": email already off; too broad',
      },
      { at: at(180), type: 'status.resolved', actor: 'alice', message: 'Resolved: Send-email tool disabled' },
    ],
  };
}

function alertedIncident(): IncidentState {
  return {
    id: 'INC-9PQ2M',
    title: 'Token spend spike on summarizer',
    category: 'unbounded-consumption',
    severity: 'P2',
    description: 'Spend alert fired for the summarizer service.',
    status: 'triaging',
    commander: 'erin',
    declaredBy: 'alertmanager',
    detectedAt: at(-5),
    declaredAt: at(0),
    service: 'summarizer',
    fingerprint: 'a1b2c3d4e5f6',
    mitigationTarget: '4h',
    triage: [],
    steps: [],
    notified: [],
    paged: [],
    actions: [],
    timeline: [
      {
        at: at(0),
        type: 'declared',
        actor: 'alertmanager',
        message: 'Declared P2 unbounded-consumption: Token spend spike on summarizer',
      },
    ],
  };
}

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  assert.notEqual(start, -1, `no "## ${heading}" section`);
  const next = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, next === -1 ? undefined : next);
}

function tableRows(markdown: string): string[] {
  return markdown.split('\n').filter((line) => line.startsWith('|'));
}

const unescapedPipes = (row: string) => (row.match(/(?<!\\)(?:\\\\)*\|/g) ?? []).length;

describe('postmortem draft', () => {
  const markdown = renderPostmortem(resolvedIncident());

  it('opens with the title line and the incident facts', () => {
    const [title, , facts] = markdown.split('\n');
    assert.equal(title, '# Postmortem: INC-7K3QX Assistant emails | exfiltrates docs');
    for (const fact of [
      'P1',
      'prompt-injection',
      'Prompt injection: tool misuse',
      '**IC:** alice',
      '**Status:** Draft',
    ])
      assert.ok(facts?.includes(fact), fact);
  });

  it('has every section, in order, with prompts for the parts only the team can write', () => {
    const headings = markdown.split('\n').filter((line) => line.startsWith('## '));
    assert.deepEqual(headings, [
      '## Summary',
      '## Impact window',
      '## Detection',
      '## Timeline',
      '## Containment',
      '## What worked / what did not',
      '## Corrective actions',
      '## Root cause',
      '## Contributing factors',
      '## Where we got lucky',
      '## Lessons learned',
    ]);
    for (const heading of ['Root cause', 'Contributing factors', 'Where we got lucky', 'Lessons learned']) {
      assert.match(section(markdown, heading), /\n_[^_\n]+_\n/, `${heading} has an italic prompt`);
    }
    assert.match(section(markdown, 'Summary'), /Send-email tool disabled; the injected page was blocked/);
    assert.match(section(markdown, 'Summary'), /A web page told the agent/);
  });

  it('renders the impact window in UTC with formatDuration and the target verdict', () => {
    const impact = section(markdown, 'Impact window');
    assert.match(impact, /\| Detected \| 2025-03-14 08:48:00 \| 0s \| 12m before \|/);
    assert.match(impact, /\| Mitigated \| 2025-03-14 09:52:00 \| 1\.1h \| 52m \|/);
    assert.match(impact, /\| Resolved \| 2025-03-14 12:00:00 \| 3\.2h \| 3h \|/);
    assert.match(impact, /Time to mitigate: 52m from declaration \(\*\*met\*\* the 1h target\)/);
  });

  it('calls a late mitigation a missed target, in the impact window and under what did not work', () => {
    const late = resolvedIncident();
    late.mitigationTarget = '30m';
    const lateMarkdown = renderPostmortem(late);
    assert.match(
      section(lateMarkdown, 'Impact window'),
      /Time to mitigate: 52m from declaration \(\*\*missed\*\* the 30m target\)/,
    );
    assert.match(
      section(lateMarkdown, 'What worked / what did not'),
      /Missed the 30m mitigation target: mitigated 52m after declaration/,
    );
  });

  it('says how the incident was detected and how fast', () => {
    const detection = section(markdown, 'Detection');
    assert.match(detection, /Declared by a person: bob/);
    assert.match(detection, /Time to detect \(detection → declaration\): 12m/);
    assert.match(detection, /Time to acknowledge \(declaration → IC acknowledgement\): 3m/);
  });

  it('names the approver, the decision time and the reason for each step, undo steps marked', () => {
    const containment = section(markdown, 'Containment');
    assert.match(containment, /\*\*Disable the send-email tool\*\* \(`disable-send-email`\): verified/);
    assert.match(containment, /Target: flag agent-tools\.send-email\.enabled off/);
    assert.match(containment, /approved by carol at 2025-03-14 09:50:00 UTC: "stop the bleeding"/);
    assert.match(containment, /rejected by alice at 2025-03-14 09:55:00 UTC: "email already off; too broad"/);
    assert.match(containment, /`undo-disable-send-email` · undo of `disable-send-email`\): pending/);
    assert.match(containment, /Result: agent-tools\.send-email\.enabled is off \(read back\)/);
  });

  it('lists what worked and what did not', () => {
    const [worked, didNot] = section(markdown, 'What worked / what did not').split('### Did not');
    assert.match(worked!, /Step "Disable the send-email tool" \(`disable-send-email`\) took effect and was verified/);
    assert.match(worked!, /Mitigated within the 1h target/);
    assert.match(
      didNot!,
      /Step "Turn the assistant off" \(`kill-assistant`\) was rejected by alice: "email already off; too broad"/,
    );
    assert.match(didNot!, /Approval escalated: No decision on "Disable the send-email tool" within 15m/);
    assert.match(didNot!, /Could not page security-oncall: 503/);
    assert.doesNotMatch(didNot!, /Re-enable/, 'a pending undo is not a failure');
  });

  it('keeps the timeline table rectangular and drops notification noise but not failures', () => {
    const rows = tableRows(section(markdown, 'Timeline'));
    assert.equal(rows.length, 2 + resolvedIncident().timeline.length - 1);
    for (const row of rows) assert.equal(unescapedPipes(row), 4, row);
    assert.ok(rows.some((row) => row.includes('Assistant emails \\| exfiltrates docs')));
    assert.ok(
      rows.some((row) => row.includes('is off<br>(read back)')),
      'newlines stay inside their cell',
    );
    assert.ok(!rows.some((row) => row.includes('Notified support-leads')));
    assert.ok(rows.some((row) => row.includes('Could not page security-oncall')));
    assert.ok(
      rows.includes('| 2025-03-14 09:50:00 | carol | Approved "Disable the send-email tool": stop the bleeding |'),
    );
  });

  it('tables the corrective actions', () => {
    const rows = tableRows(section(markdown, 'Corrective actions'));
    assert.equal(rows[0], '| ID | Kind | Title | Owner | Due | Status | Ticket |');
    assert.equal(
      rows[2],
      '| A1 | prevent | Require confirmation \\| for outbound email | dave | 2025-03-28 | open | SEC-42 |',
    );
    for (const row of rows) assert.equal(unescapedPipes(row), 8, row);
  });

  it('handles an unmitigated incident raised by an alert', () => {
    const alerted = renderPostmortem(alertedIncident());
    assert.match(section(alerted, 'Detection'), /Raised by monitoring: alert fingerprint `a1b2c3d4e5f6`/);
    assert.match(section(alerted, 'Detection'), /Time to detect \(detection → declaration\): 5m/);
    assert.match(
      section(alerted, 'Detection'),
      /Time to acknowledge \(declaration → IC acknowledgement\): not acknowledged/,
    );
    assert.match(section(alerted, 'Impact window'), /\| Mitigated \| not mitigated \|/);
    assert.match(section(alerted, 'Impact window'), /Mitigation target 4h: \*\*not mitigated\*\*/);
    assert.match(section(alerted, 'Summary'), /No resolution summary yet/);
    assert.match(section(alerted, 'Containment'), /No containment steps were proposed/);
    assert.match(section(alerted, 'Corrective actions'), /None yet\./);
    assert.match(alerted, /\*\*Runbook:\*\* none/);
  });

  it('says when detection was not recorded, rather than a time to detect of zero', () => {
    const { detectedAt: _unknown, ...withoutDetection } = resolvedIncident();
    const markdown = renderPostmortem(withoutDetection);
    assert.match(section(markdown, 'Impact window'), /\| Detected \| not recorded \|/);
    assert.match(section(markdown, 'Detection'), /Time to detect \(detection → declaration\): not recorded/);
  });

  it('is deterministic and leaves its input alone', () => {
    const state = resolvedIncident();
    const before = structuredClone(state);
    const first = renderPostmortem(state);
    assert.equal(renderPostmortem(state), first);
    assert.equal(renderPostmortem(structuredClone(state)), first);
    assert.deepEqual(state, before);
  });

  it('tables the status updates and says whether the cadence was kept', () => {
    const updated: IncidentState = {
      ...resolvedIncident(),
      updates: [
        { id: 'U1', at: at(40), by: 'alice', text: 'Tool disabled | watching', visibility: 'internal' },
        { id: 'U2', at: at(90), by: 'priya', text: 'Back to normal', impact: 'None now', visibility: 'public' },
      ],
      updateCadence: { onTime: 2, overdue: 1 },
    };
    const updates = section(renderPostmortem(updated), 'Stakeholder updates');
    assert.match(updates, /\| 2025-03-14 09:40:00 \| U1 \| alice \| internal \| Tool disabled \\\| watching \|/);
    assert.match(updates, /\| U2 \| priya \| public \| Back to normal \| None now \|/);
    assert.match(updates, /2 of 3 update windows met on time; 1 missed\./);
    assert.ok(!markdown.includes('## Stakeholder updates'), 'an incident without updates has no such section');
  });
});
