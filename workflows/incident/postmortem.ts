// The postmortem draft an IC starts from. Pure and deterministic: it runs inside the workflow sandbox.
import { durationMs, durationPattern, formatDuration } from '../../runbooks/duration.js';
import type { ContainmentStep, CorrectiveAction, IncidentState, TimelineEntry, TimelineType } from '../types.js';
import { SYSTEM } from '../constants.js';

const NOISE_TYPES = new Set<TimelineType>(['notification.sent']);
const FAILURE_TYPES = new Set<TimelineType>(['notification.failed', 'page.failed']);
const UNSUCCESSFUL_STEP_STATUSES = new Set(['failed', 'rejected', 'expired']);

export function renderPostmortem(state: IncidentState): string {
  return [
    ...header(state),
    ...summarySection(state),
    ...impactWindowSection(state),
    ...detectionSection(state),
    ...timelineSection(state),
    ...updatesSection(state),
    ...containmentSection(state),
    ...whatWorkedSection(state),
    ...correctiveActionsSection(state),
    ...toFillIn('Root cause', 'What made this possible? Keep asking why until the answer is something we can change.'),
    ...toFillIn('Contributing factors', 'What made it worse, slower to notice or harder to contain?'),
    ...toFillIn('Where we got lucky', 'What went right by chance, and could as easily have gone wrong next time?'),
    ...toFillIn(
      'Lessons learned',
      'What do we now know that we did not before? Each lesson should lead to a corrective action.',
    ),
  ].join('\n');
}

function header(state: IncidentState): string[] {
  const facts = [
    `**Severity:** ${state.severity}`,
    `**Category:** ${state.category}`,
    `**Runbook:** ${state.runbook ? oneLine(state.runbook.title) : 'none'}`,
    `**IC:** ${oneLine(state.commander)}`,
    ...(state.service ? [`**Service:** ${oneLine(state.service)}`] : []),
    '**Status:** Draft',
  ];
  return [`# Postmortem: ${state.id} ${oneLine(state.title)}`, '', facts.join(' · '), ''];
}

function summarySection(state: IncidentState): string[] {
  const summary = state.summary?.trim()
    ? state.summary.trim()
    : '_No resolution summary yet: what happened, who was affected, how it ended._';
  return ['## Summary', '', summary, '', state.description.trim() || '_No description given._', ''];
}

function impactWindowSection(state: IncidentState): string[] {
  const milestones: [string, string | undefined][] = [
    ['Detected', state.detectedAt],
    ['Declared', state.declaredAt],
    ['Acknowledged', state.acknowledgedAt],
    ['Mitigated', state.mitigatedAt],
    ['Resolved', state.resolvedAt],
  ];
  const rows = milestones.map(([label, at]) =>
    at
      ? tableRow([label, utc(at), elapsed(state.detectedAt, at), elapsed(state.declaredAt, at)])
      : tableRow([
          label,
          label === 'Mitigated' ? 'not mitigated' : label === 'Detected' ? 'not recorded' : 'not yet',
          '',
          '',
        ]),
  );
  return [
    '## Impact window',
    '',
    tableRow(['Milestone', 'Time (UTC)', 'Since detection', 'Since declaration']),
    tableRow(['---', '---', '---', '---']),
    ...rows,
    '',
    mitigationVerdict(state),
    '',
  ];
}

function mitigationVerdict(state: IncidentState): string {
  const target = state.mitigationTarget;
  if (!state.mitigatedAt)
    return target ? `Mitigation target ${target}: **not mitigated**.` : 'Not mitigated; no mitigation target set.';
  const took = formatDuration(msBetween(state.declaredAt, state.mitigatedAt));
  if (!target || !durationPattern.test(target))
    return `Time to mitigate: ${took} from declaration (no mitigation target set).`;
  return mitigationTargetMissed(state)
    ? `Time to mitigate: ${took} from declaration (**missed** the ${target} target).`
    : `Time to mitigate: ${took} from declaration (**met** the ${target} target).`;
}

function mitigationTargetMissed(state: IncidentState): boolean {
  const target = state.mitigationTarget;
  if (!target || !durationPattern.test(target)) return false;
  if (!state.mitigatedAt) return true;
  return msBetween(state.declaredAt, state.mitigatedAt) > durationMs(target);
}

function detectionSection(state: IncidentState): string[] {
  const how = state.fingerprint
    ? `Raised by monitoring: alert fingerprint \`${oneLine(state.fingerprint)}\`.`
    : `Declared by a person: ${oneLine(state.declaredBy)}.`;
  const acknowledge = state.acknowledgedAt ? elapsed(state.declaredAt, state.acknowledgedAt) : 'not acknowledged';
  return [
    '## Detection',
    '',
    how,
    '',
    `- Time to detect (detection → declaration): ${state.detectedAt ? elapsed(state.detectedAt, state.declaredAt) : 'not recorded (give --detected-at when declaring; alerts carry it)'}`,
    `- Time to acknowledge (declaration → IC acknowledgement): ${acknowledge}`,
    '',
  ];
}

function timelineSection(state: IncidentState): string[] {
  const entries = state.timeline.filter((entry) => !NOISE_TYPES.has(entry.type));
  if (entries.length === 0) return ['## Timeline', '', '_No events recorded._', ''];
  return [
    '## Timeline',
    '',
    tableRow(['Time (UTC)', 'Actor', 'Event']),
    tableRow(['---', '---', '---']),
    ...entries.map((entry) => tableRow([utc(entry.at), entry.actor, entry.message])),
    '',
  ];
}

/** What the stakeholders were told, and whether the runbook's cadence was kept; absent when neither applies. */
function updatesSection(state: IncidentState): string[] {
  const updates = state.updates ?? [];
  const cadence = state.updateCadence;
  if (!updates.length && !cadence) return [];
  const kept = cadence
    ? cadence.onTime + cadence.overdue
      ? `${cadence.onTime} of ${cadence.onTime + cadence.overdue} update windows met on time; ${cadence.overdue} missed.`
      : 'No update window had ended.'
    : '';
  return [
    '## Stakeholder updates',
    '',
    ...(updates.length
      ? [
          tableRow(['Time (UTC)', 'Update', 'By', 'Visibility', 'Text', 'Impact']),
          tableRow(['---', '---', '---', '---', '---', '---']),
          ...updates.map((u) => tableRow([utc(u.at), u.id, u.by, u.visibility, u.text, u.impact ?? ''])),
        ]
      : ['_No status update was posted._']),
    '',
    ...(kept ? [kept, ''] : []),
  ];
}

function containmentSection(state: IncidentState): string[] {
  if (state.steps.length === 0) return ['## Containment', '', '_No containment steps were proposed._', ''];
  return ['## Containment', '', ...state.steps.flatMap(describeStep), ''];
}

function describeStep(step: ContainmentStep): string[] {
  const undo = step.kind === 'undo' ? ` · undo${step.undoes ? ` of \`${step.undoes}\`` : ''}` : '';
  return [
    `- **${oneLine(step.title)}** (\`${step.id}\`${undo}): ${step.status}`,
    `  - Target: ${oneLine(step.target)}`,
    `  - Decision: ${describeDecision(step)}`,
    `  - Result: ${step.result ? oneLine(step.result) : '_none recorded_'}`,
  ];
}

function describeDecision(step: ContainmentStep): string {
  const decision = step.decision;
  if (!decision) return step.status === 'expired' ? 'never decided' : 'none yet';
  const who = decision.by === SYSTEM ? 'system (pre-approved, nobody decided in time)' : oneLine(decision.by);
  const why = decision.reason ? `: "${oneLine(decision.reason)}"` : '';
  return `${decision.outcome} by ${who} at ${utc(decision.at)} UTC${why}`;
}

function whatWorkedSection(state: IncidentState): string[] {
  const worked = [
    ...state.steps
      .filter((step) => step.status === 'verified')
      .map((step) => `${stepLabel(step)} took effect and was verified.`),
    ...(state.mitigatedAt && state.mitigationTarget && !mitigationTargetMissed(state)
      ? [`Mitigated within the ${state.mitigationTarget} target.`]
      : []),
  ];
  const didNot = [
    ...state.steps.filter((step) => UNSUCCESSFUL_STEP_STATUSES.has(step.status)).map(describeUnsuccessfulStep),
    ...entriesOf(state, 'approval.escalated').map((entry) => `Approval escalated: ${oneLine(entry.message)}`),
    ...entriesOf(state, 'approval.overdue').map((entry) => `Approval overdue: ${oneLine(entry.message)}`),
    ...(mitigationTargetMissed(state) ? [missedTargetLine(state)] : []),
    ...state.timeline
      .filter((entry) => FAILURE_TYPES.has(entry.type))
      .map((entry) => `${oneLine(entry.message)} (${utc(entry.at)} UTC)`),
  ];
  return [
    '## What worked / what did not',
    '',
    '### Worked',
    '',
    ...bulletsOrNone(worked),
    '',
    '### Did not',
    '',
    ...bulletsOrNone(didNot),
    '',
  ];
}

function describeUnsuccessfulStep(step: ContainmentStep): string {
  if (step.status === 'rejected') {
    const reason = step.decision?.reason ? `: "${oneLine(step.decision.reason)}"` : '';
    return `${stepLabel(step)} was rejected${step.decision ? ` by ${oneLine(step.decision.by)}` : ''}${reason}.`;
  }
  if (step.status === 'expired') return `${stepLabel(step)} expired without a decision.`;
  return `${stepLabel(step)} failed${step.result ? `: ${oneLine(step.result)}` : '.'}`;
}

function missedTargetLine(state: IncidentState): string {
  if (!state.mitigatedAt) return `Not mitigated; the target was ${state.mitigationTarget}.`;
  return `Missed the ${state.mitigationTarget} mitigation target: mitigated ${elapsed(state.declaredAt, state.mitigatedAt)} after declaration.`;
}

function correctiveActionsSection(state: IncidentState): string[] {
  if (state.actions.length === 0) return ['## Corrective actions', '', 'None yet.', ''];
  return [
    '## Corrective actions',
    '',
    tableRow(['ID', 'Kind', 'Title', 'Owner', 'Due', 'Status', 'Ticket']),
    tableRow(['---', '---', '---', '---', '---', '---', '---']),
    ...state.actions.map(actionRow),
    '',
  ];
}

function actionRow(action: CorrectiveAction): string {
  return tableRow([
    action.id,
    action.kind,
    action.title,
    action.owner,
    dueDate(action.dueAt),
    action.status,
    action.ticket?.key ?? '',
  ]);
}

function toFillIn(heading: string, prompt: string): string[] {
  return [`## ${heading}`, '', `_${prompt}_`, ''];
}

function stepLabel(step: ContainmentStep): string {
  return `${step.kind === 'undo' ? 'Undo step' : 'Step'} "${oneLine(step.title)}" (\`${step.id}\`)`;
}

function entriesOf(state: IncidentState, type: TimelineType): TimelineEntry[] {
  return state.timeline.filter((entry) => entry.type === type);
}

function bulletsOrNone(items: string[]): string[] {
  return items.length > 0 ? items.map((item) => `- ${item}`) : ['- _Nothing recorded._'];
}

function tableRow(cells: string[]): string {
  return `| ${cells.map(escapeCell).join(' | ')} |`;
}

function escapeCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, '<br>');
}

function oneLine(text: string): string {
  return text.replace(/\s*(\r\n|\r|\n)\s*/g, ' ').trim();
}

function msBetween(from: string, to: string): number {
  return Date.parse(to) - Date.parse(from);
}

function elapsed(from: string | undefined, to: string): string {
  if (from === undefined) return '';
  const ms = msBetween(from, to);
  if (Number.isNaN(ms)) return 'unknown';
  return ms < 0 ? `${formatDuration(-ms)} before` : formatDuration(ms);
}

function utc(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function dueDate(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toISOString().slice(0, 10);
}
