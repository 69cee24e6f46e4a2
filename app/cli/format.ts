import type { ContainmentStep, CorrectiveAction, IncidentState, StatusUpdate } from '../../workflows/types.js';
import { describeEvidence } from '../../workflows/incident/evidence-summary.js';
import { SEVERITIES } from '../../workflows/types.js';
import { TIMING_KINDS, type Kpis, type TimingStats } from '../kpis/compute.js';
import type { IncidentSummary } from '../incident-service.js';
import type { DrillReport } from '../drill.js';
import { formatDuration } from '../../runbooks/duration.js';
import { obligationLines } from './obligation-format.js';

export function formatList(incidents: IncidentSummary[]): string {
  if (incidents.length === 0) return 'No open incidents.';
  const rows = incidents.map((i) => [
    i.id,
    i.severity ?? '',
    i.status ?? '',
    i.commander ?? '',
    i.declaredAt.slice(0, 16).replace('T', ' '),
    i.title,
  ]);
  return table([['ID', 'SEV', 'STATUS', 'COMMANDER', 'DECLARED (UTC)', 'TITLE'], ...rows]);
}

export function formatIncident(incident: IncidentState): string {
  const lines = [
    `${incident.id}  ${incident.severity}  ${incident.status.toUpperCase()}  ${incident.title}`,
    `  category   ${incident.category}`,
    ...(incident.runbook
      ? [`  runbook    ${incident.runbook.id} (${incident.runbook.file}, sha256 ${incident.runbook.hash.slice(0, 12)})`]
      : []),
    ...(incident.mitigationTarget ? [`  target     mitigate within ${incident.mitigationTarget}`] : []),
    `  commander  ${incident.commander}`,
    `  declared   ${incident.declaredAt} by ${incident.declaredBy}`,
    ...(incident.acknowledgedAt ? [`  acked      ${incident.acknowledgedAt}`] : []),
    ...(incident.mitigatedAt ? [`  mitigated  ${incident.mitigatedAt}`] : []),
    ...(incident.resolvedAt ? [`  resolved   ${incident.resolvedAt}: ${incident.summary ?? ''}`] : []),
    ...(incident.postmortem
      ? [
          `  postmortem ${incident.postmortem.completedAt ? `completed by ${incident.postmortem.completedBy}` : `draft${incident.postmortem.required ? ' (required)' : ''}`}: incident postmortem ${incident.id}`,
        ]
      : []),
    ...(incident.closedAt ? [`  closed     ${incident.closedAt}`] : []),
    ...(incident.statusUpdateDue
      ? [`  update due ${incident.statusUpdateDue}: incident update ${incident.id} "…"`]
      : []),
    ...(incident.description ? ['', indent(incident.description)] : []),
    ...(incident.triage.length
      ? [
          '',
          'Triage',
          ...incident.triage.map(
            (t) =>
              `  ${t.done ? '[x]' : '[ ]'} ${t.id}  ${t.title}${t.done ? `  (${t.done.by}${t.done.note ? `: ${t.done.note}` : ''})` : ''}`,
          ),
        ]
      : []),
    '',
    'Containment steps',
    ...incident.steps.map((step) => `  ${formatStep(step)}${formatEvidence(incident, step.id)}`),
    ...(incident.actions?.length ? ['', 'Corrective actions', indent(formatActions(incident.actions))] : []),
    ...obligationLines(incident),
    ...(incident.updates?.length ? ['', 'Status updates', ...incident.updates.map((u) => `  ${formatUpdate(u)}`)] : []),
    '',
    'Timeline (UTC)',
    ...incident.timeline.map(
      (e) => `  ${e.at.slice(0, 19).replace('T', ' ')}  ${identified(e.actor, e.via).padEnd(20)}  ${e.message}`,
    ),
  ];
  return lines.join('\n');
}

export function formatUpdate(update: StatusUpdate): string {
  const extra = [
    update.impact ? `impact: ${update.impact}` : '',
    update.nextUpdateAt ? `next by ${update.nextUpdateAt}` : '',
  ].filter(Boolean);
  return `${update.id}  ${update.at.slice(0, 19).replace('T', ' ')}  ${update.visibility}  ${update.by}: ${update.text}${extra.length ? ` (${extra.join('; ')})` : ''}`;
}

export function formatStep(step: ContainmentStep): string {
  const decided = step.decision
    ? `, ${step.decision.outcome} by ${identified(step.decision.by, step.decision.via)} at ${step.decision.at}${step.decision.reason ? ` (${step.decision.reason})` : ''}`
    : '';
  const result = step.result ? `\n      ${step.result}` : '';
  const waiting =
    step.status === 'pending'
      ? `\n      approvers: ${step.approvers.join(', ')}${step.decisionDue ? `; decision due ${step.decisionDue}` : ''}`
      : '';
  return `${step.id}  [${step.status}]  ${step.title}${decided}${waiting}${result}`;
}

/** Each snapshot taken for the step: when, what it says, and where it is stored. */
function formatEvidence(incident: IncidentState, stepId: string): string {
  return (incident.evidence ?? [])
    .filter((record) => record.stepId === stepId)
    .map(
      (record) =>
        `\n      ${record.moment === 'requested' ? 'at request' : 'pre-change'} ${record.capturedAt}: ${describeEvidence(record)}${record.location ? `, ${record.location}` : ''}`,
    )
    .join('');
}

export function formatActions(actions: CorrectiveAction[]): string {
  if (actions.length === 0) return 'No corrective actions.';
  const rows = actions.map((a) => [
    a.id,
    a.kind,
    a.status === 'closed' ? (a.onTime ? 'closed on time' : 'closed late') : a.status,
    a.owner,
    a.dueAt.slice(0, 10),
    a.ticket?.key ?? '-',
    `${a.title}${a.waiverReason ? ` (waived: ${a.waiverReason})` : ''}`,
  ]);
  return table([['ID', 'KIND', 'STATUS', 'OWNER', 'DUE', 'TICKET', 'TITLE'], ...rows]);
}

export function formatKpis(kpis: Kpis): string {
  const stat = (s: TimingStats) =>
    s.count ? `${formatDuration(s.medianMs!)} / ${formatDuration(s.p90Ms!)} (${s.count})` : '-';
  const timing = SEVERITIES.map((sev) => {
    const target = kpis.mitigationTargets[sev];
    const breaches = target.target ? `${target.breached} of ${target.measured} over ${target.target}` : '-';
    return [
      sev,
      String(kpis.incidents.bySeverity[sev]),
      ...TIMING_KINDS.map((kind) => stat(kpis.timings[sev][kind])),
      breaches,
    ];
  });
  const a = kpis.actions;
  const rate =
    a.onTimeRate === null
      ? 'nothing due yet'
      : `${(a.onTimeRate * 100).toFixed(0)} % (${a.closedOnTime} of ${a.due} due; target ${(a.target * 100).toFixed(0)} %)`;
  return [
    `Incidents declared ${kpis.window.since.slice(0, 16).replace('T', ' ')} → ${kpis.window.until.slice(0, 16).replace('T', ' ')} UTC: ${kpis.incidents.total} (${kpis.incidents.open} not closed)`,
    '',
    'Median / p90 (count)',
    table([['SEV', 'N', 'DETECT', 'ACKNOWLEDGE', 'MITIGATE', 'RESOLVE', 'MITIGATION TARGET BREACHED'], ...timing]),
    '',
    `Repeat incidents: ${kpis.repeats.count}${kpis.repeats.incidents.length ? ` (${kpis.repeats.incidents.map((r) => `${r.id} repeats ${r.repeatOf}`).join(', ')})` : ''}`,
    `Corrective actions: ${a.total}: ${a.closedOnTime} closed on time, ${a.closedLate} closed late, ${a.waived} waived, ${a.open} open (${a.overdue} overdue)`,
    `On-time closure: ${rate}`,
    ...(kpis.obligations.total
      ? [
          `Obligations: ${kpis.obligations.total}: ${kpis.obligations.metOnTime} met on time, ${kpis.obligations.metLate} met late, ${kpis.obligations.overdue} overdue, ${kpis.obligations.open} open`,
        ]
      : []),
    `Status updates on time: ${updatesOnTime(kpis)}`,
  ].join('\n');
}

/** `P1 67 % (2 of 3 due), P2 -`: per severity with a window ended. */
function updatesOnTime(kpis: Kpis): string {
  const rows = SEVERITIES.map((sev) => [sev, kpis.statusUpdates[sev]] as const).filter(([, u]) => u.due > 0);
  if (!rows.length) return 'nothing due yet';
  return rows
    .map(
      ([sev, u]) => `${sev} ${(u.onTimeRate! * 100).toFixed(0)} % (${u.onTime} of ${u.due} due, ${u.overdue} missed)`,
    )
    .join(', ');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '))
    .join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

export function formatDrill(report: DrillReport): string {
  const start = Date.parse(report.incident.declaredAt);
  const clock = (at: string) => {
    const s = Math.round((Date.parse(at) - start) / 1000);
    return `T+${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  const mitigated =
    report.timeToMitigateMs === undefined
      ? 'not mitigated'
      : `${formatDuration(report.timeToMitigateMs)}${report.mitigationTarget ? ` (target ${report.mitigationTarget}: ${report.targetMet ? 'met' : 'MISSED'})` : ''}`;
  return [
    `Drill of ${report.runbook.id} at ${report.severity} (${report.runbook.file}, sha256 ${report.runbook.hash.slice(0, 12)})`,
    '',
    'Decisions',
    ...report.played.map(
      (p) => `  ${p.stepId.padEnd(24)} ${p.decision.padEnd(8)} → ${p.status}${p.result ? `  ${p.result}` : ''}`,
    ),
    '',
    'Timeline (drill clock)',
    ...report.incident.timeline.map((e) => `  ${clock(e.at)}  ${e.actor.padEnd(10)}  ${e.message}`),
    '',
    `Time to mitigate: ${mitigated}`,
    ...(report.obligations
      ? [
          '',
          'Obligations (drill clock)',
          ...report.obligations.flatMap((o) => [
            `  ${o.obligationId}  ${o.regime}: due ${clock(o.dueAt)}; ${o.final.status === 'met' ? `met ${o.final.onTime ? 'on time' : 'late'}` : o.final.status}`,
            ...o.attempts.map(
              (a) =>
                `    ${clock(a.at)}  ${a.phase} submission ${a.withReasons ? 'with' : 'without'} reasons: ${a.outcome}`,
            ),
          ]),
          `  KPI: ${report.obligationKpis!.metOnTime} of ${report.obligationKpis!.total} met on time, ${report.obligationKpis!.metLate} late, ${report.obligationKpis!.overdue} overdue`,
        ]
      : []),
    `Played in ${(report.wallClockMs / 1000).toFixed(1)} s`,
  ].join('\n');
}

/** `alice (oidc)`: who acted and how they were identified, where the timeline knows. */
function identified(actor: string, via: string | undefined): string {
  return via && via !== 'system' ? `${actor} (${via})` : actor;
}
