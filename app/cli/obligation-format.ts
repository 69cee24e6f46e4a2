import type { IncidentState, ObligationClock } from '../../workflows/types.js';

/** One obligation in a line or three: its clock, what is due when, and what was submitted. */
export function formatObligation(clock: ObligationClock): string {
  const status =
    clock.status === 'met'
      ? `met ${clock.onTime ? 'on time' : 'LATE'}${clock.completedAt ? ', final report in' : ''}`
      : clock.status === 'overdue'
        ? `OVERDUE since ${clock.overdueAt ?? clock.dueAt}`
        : clock.status;
  const reminders = clock.reminders
    .map((r) => `${r.percent}%${r.sentAt ? ' sent' : r.skipped ? ' skipped' : ` ${r.at}`}`)
    .join(', ');
  return [
    `${clock.id}  [${status}]  ${clock.regime}: ${clock.title}`,
    `      ${clock.classification}, aware ${clock.awareAt}; due ${clock.dueAt} (${clock.deadline}) to ${clock.recipient}; ${clock.responsible} responsible`,
    ...(clock.status === 'open' ? [`      reminders: ${reminders}`] : []),
    ...clock.submissions.map(
      (s) =>
        `      submitted ${s.phase} ${s.reference} by ${s.by} at ${s.at}${s.late ? ` (late: ${s.reasons ?? ''})` : ''}`,
    ),
  ].join('\n');
}

/** The classifications and obligations section of `incident show`; empty when there are none. */
export function obligationLines(incident: IncidentState): string[] {
  const classifications = incident.classifications ?? [];
  if (!classifications.length && !incident.obligations?.length) return [];
  return [
    '',
    'Classifications and obligations',
    ...classifications.map(
      (c) =>
        `  ${c.withdrawn ? '(withdrawn) ' : ''}${c.classification}  by ${c.by} at ${c.at}, aware ${c.awareAt}: ${c.reason}${c.withdrawn ? `; withdrawn by ${c.withdrawn.by}: ${c.withdrawn.reason}` : ''}`,
    ),
    ...(incident.obligations ?? []).map((o) => `  ${formatObligation(o)}`),
  ];
}
