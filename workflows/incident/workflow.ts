// One workflow per incident; its workflow id is the incident id. It runs the incident's runbook, from
// declaration to closed (product.md §4). The parts: incident.ts (state, timeline, outbound messages),
// containment.ts (steps), closure.ts (resolution, postmortem, actions), handlers.ts (what it answers).
import { allHandlersFinished, condition, patched } from '@temporalio/workflow';
import { DEFAULT_POLICY } from '../../runbooks/roles.js';
import { SYSTEM } from '../constants.js';
import type { DeclareInput, IncidentState } from '../types.js';
import { autoResolveWhenQuiet, takeAlerts } from './alerts.js';
import { followInChannel } from './channel.js';
import { Closure } from './closure.js';
import { Containment } from './containment.js';
import { registerHandlers } from './handlers.js';
import { activities, Incident } from './incident.js';
import { remindStatusUpdates } from './status-updates.js';
import { expireUndos } from './undos.js';

export async function incidentWorkflow(input: DeclareInput): Promise<IncidentState> {
  const incident = new Incident(input);
  const containment = new Containment(incident);
  const closure = new Closure(incident, containment);
  const { state, record } = incident;
  registerHandlers(incident, containment, closure);

  // Declared: the runbook as it is now is the incident's for good (edits apply to later incidents).
  const snapshot = await activities.loadRunbook({ runbookId: input.runbookId, category: input.category });
  const runbook = (incident.runbook = snapshot.runbook);
  incident.groups = snapshot.groups;
  incident.policy = snapshot.policy ?? DEFAULT_POLICY;
  state.runbook = { id: runbook.id, title: runbook.title, file: snapshot.file, hash: snapshot.hash };
  state.mitigationTarget = runbook.mitigationTargets[state.severity];
  state.triage = runbook.triage.map((item) => ({ ...item }));
  containment.plan();

  record(
    'declared',
    { actor: state.declaredBy, ...(input.declaredVia ? { via: input.declaredVia } : {}) },
    `Declared ${state.severity} ${state.category}: ${state.title}`,
  );
  if (input.repeatOf)
    record('repeat', SYSTEM, `Repeat of ${input.repeatOf}: the same alert group fired again after it closed`, {
      repeatOf: input.repeatOf,
    });
  if (input.alerts?.length) takeAlerts(incident, input.alerts);
  record(
    'runbook.selected',
    SYSTEM,
    `Runbook "${runbook.title}" (${snapshot.file}, sha256 ${snapshot.hash.slice(0, 12)})`,
    {
      runbookId: runbook.id,
      hash: snapshot.hash,
    },
  );
  for (const warning of snapshot.warnings) record('runbook.warning', SYSTEM, warning);
  for (const warning of input.warnings ?? []) record('runbook.warning', SYSTEM, warning);
  record('commander.assigned', SYSTEM, `Incident commander: ${state.commander}`);

  // Triaging: steps proposed, people told and paged, the record filed, the channel opened.
  state.status = 'triaging';
  for (const step of state.steps) {
    const approval = incident.plans.get(step.id)!.approval.required
      ? `needs approval by ${containment.describeApprovers(step)}`
      : 'runs without approval';
    record('containment.proposed', SYSTEM, `Proposed "${step.id}": ${step.title} (${approval})`, { stepId: step.id });
  }
  incident.severityAuthority = patched('severity-authority');
  if (incident.severityAuthority) containment.vouchForSeverity(severitySetter(input));
  incident.publish();
  incident.ready = true;
  incident.openRecord();
  const channelFollowed = patched('incident-channel')
    ? followInChannel({
        state,
        responders: runbook.responders,
        groups: incident.groups,
        needsDecision: containment.needsDecision,
        describeApprovers: containment.describeApprovers,
        record,
        opened: (channel) => {
          if (!patched('channel-on-record')) return;
          const where = `Slack channel #${channel.name}${channel.url ? `: ${channel.url}` : ''}`;
          void incident.onRecord('link the Slack channel', (ticket) =>
            activities.commentOnTicket({ ticket, marker: `${state.id}/channel`, text: where }),
          );
        },
      })
    : Promise.resolve();

  void incident.notifyStakeholders('Incident declared');
  void incident.pageOnCall('declared');
  for (const step of state.steps) void containment.supervise(step);
  void remindStatusUpdates(incident);
  if (runbook.autoResolve && input.alerts?.length && patched('alert-auto-resolve'))
    void autoResolveWhenQuiet(incident, closure, runbook.autoResolve.quietFor);

  // Resolved (by the IC, or by auto-resolve): the postmortem, the actions, the undo offers, then closed.
  await condition(incident.isResolved);
  closure.writePostmortemDraft();
  await Promise.all([closure.closeWhenActionsEnd(), expireUndos(incident)]);
  await condition(() => allHandlersFinished() && containment.settled());
  await channelFollowed;
  return state;
}

/** Who chose the declared severity, for its pre-approvals (see Containment.vouchForSeverity). */
function severitySetter(input: DeclareInput): Parameters<Containment['vouchForSeverity']>[0] {
  if (input.severityFrom === 'runbook' || input.severityFrom === 'alert') return input.severityFrom;
  return { actor: input.declaredBy, memberOf: input.declarerMemberOf ?? [] };
}
