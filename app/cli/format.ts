import type { ContainmentStep, IncidentState } from '../../workflows/model.js';
import type { IncidentSummary } from '../incident-service.js';

export function formatList(incidents: IncidentSummary[]): string {
  if (incidents.length === 0) return 'No open incidents.';
  const rows = incidents.map((i) => [i.id, i.severity ?? '', i.status ?? '', i.commander ?? '', i.declaredAt.slice(0, 16).replace('T', ' '), i.title]);
  return table([['ID', 'SEV', 'STATUS', 'COMMANDER', 'DECLARED (UTC)', 'TITLE'], ...rows]);
}

export function formatIncident(incident: IncidentState): string {
  const lines = [
    `${incident.id}  ${incident.severity}  ${incident.status.toUpperCase()}  ${incident.title}`,
    `  category   ${incident.category}`,
    ...(incident.runbook ? [`  runbook    ${incident.runbook.id} (${incident.runbook.file}, sha256 ${incident.runbook.hash.slice(0, 12)})`] : []),
    ...(incident.mitigationTarget ? [`  target     mitigate within ${incident.mitigationTarget}`] : []),
    `  commander  ${incident.commander}`,
    `  declared   ${incident.declaredAt} by ${incident.declaredBy}`,
    ...(incident.mitigatedAt ? [`  mitigated  ${incident.mitigatedAt}`] : []),
    ...(incident.resolvedAt ? [`  resolved   ${incident.resolvedAt}: ${incident.summary ?? ''}`] : []),
    ...(incident.description ? ['', indent(incident.description)] : []),
    ...(incident.triage.length ? ['', 'Triage', ...incident.triage.map((t) => `  ${t.done ? '[x]' : '[ ]'} ${t.id}  ${t.title}${t.done ? `  (${t.done.by}${t.done.note ? `: ${t.done.note}` : ''})` : ''}`)] : []),
    '',
    'Containment steps',
    ...incident.steps.map((step) => `  ${formatStep(step)}`),
    '',
    'Timeline (UTC)',
    ...incident.timeline.map((e) => `  ${e.at.slice(0, 19).replace('T', ' ')}  ${e.actor.padEnd(12)}  ${e.message}`),
  ];
  return lines.join('\n');
}

export function formatStep(step: ContainmentStep): string {
  const decided = step.decision ? `, ${step.decision.outcome} by ${step.decision.by} at ${step.decision.at}${step.decision.reason ? ` (${step.decision.reason})` : ''}` : '';
  const result = step.result ? `\n      ${step.result}` : '';
  const waiting = step.status === 'pending' ? `\n      approvers: ${step.approvers.join(', ')}${step.decisionDue ? `; decision due ${step.decisionDue}` : ''}` : '';
  return `${step.id}  [${step.status}]  ${step.title}${decided}${waiting}${result}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
