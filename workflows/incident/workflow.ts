// One workflow per incident; its workflow id is the incident id. It runs the incident's runbook, from
// declaration to closed (product.md §4). The parts: incident.ts (state, timeline, outbound messages),
// containment.ts (steps), closure.ts (resolution, postmortem, actions), handlers.ts (what it answers).
import { allHandlersFinished, condition, continueAsNew, deprecatePatch } from '@temporalio/workflow';
import { DEFAULT_POLICY } from '../../runbooks/roles.js';
import { SYSTEM } from '../constants.js';
import type { DeclareInput, IncidentState } from '../types.js';
import { autoResolveWhenQuiet, takeAlerts } from './alerts.js';
import { followInChannel } from './channel.js';
import { Closure } from './closure.js';
import { Containment } from './containment.js';
import { registerHandlers } from './handlers.js';
import { continueWhenLong, type IncidentRunInput } from './continuation.js';
import { Incident } from './incident.js';
import type { Obligations } from './obligations.js';
import { remindStatusUpdates } from './status-updates.js';
import { expireUndos } from './undos.js';

export async function incidentWorkflow(input: IncidentRunInput): Promise<IncidentState> {
  const { continued } = input;
  const incident = new Incident(input, continued);
  const containment = new Containment(incident);
  const closure = new Closure(incident, containment, continued);
  const obligations = registerHandlers(incident, containment, closure);
  if (!continued) deprecatePatch('continue-as-new');
  const story = continued ? resume(incident, containment, closure, obligations) : run(incident, containment, closure);
  const carried = await Promise.race([
    story.then(() => undefined),
    continueWhenLong(
      incident,
      () => ({ ...incident.carry(), untracked: closure.untrackedActions() }),
      input.continueAfterEvents,
    ),
  ]);
  if (!carried) return incident.state;
  const { continued: _previous, alerts: _declaredWith, ...declaration } = input;
  return continueAsNew<typeof incidentWorkflow>({ ...declaration, continued: carried });
}

/** A declared incident from the start: its runbook loaded, its people told, its steps supervised, then closure. */
async function run(incident: Incident, containment: Containment, closure: Closure): Promise<IncidentState> {
  const { input, state, record } = incident;
  // Declared: the runbook as it is now is the incident's for good (edits apply to later incidents).
  const snapshot = await incident.activities.loadRunbook({ runbookId: input.runbookId, category: input.category });
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
  deprecatePatch('severity-authority');
  containment.vouchForSeverity(severitySetter(input));
  incident.publish();
  incident.ready = true;
  incident.openRecord();
  deprecatePatch('incident-channel');
  const channelFollowed = followInChannel({
    state,
    chat: incident.activities,
    memory: incident.chat,
    resumed: false,
    responders: runbook.responders,
    groups: incident.groups,
    needsDecision: containment.needsDecision,
    describeApprovers: containment.describeApprovers,
    record,
    opened: (channel) => {
      deprecatePatch('channel-on-record');
      const where = `Slack channel #${channel.name}${channel.url ? `: ${channel.url}` : ''}`;
      void incident.onRecord('link the Slack channel', (ticket) =>
        incident.activities.commentOnTicket({ ticket, marker: `${state.id}/channel`, text: where }),
      );
    },
  });

  void incident.notifyStakeholders('Incident declared');
  void incident.pageOnCall('declared');
  for (const step of state.steps) void containment.supervise(step);
  void remindStatusUpdates(incident);
  incident.autoResolve = Boolean(runbook.autoResolve && input.alerts?.length);
  if (incident.autoResolve) {
    deprecatePatch('alert-auto-resolve');
    void autoResolveWhenQuiet(incident, closure, runbook.autoResolve!.quietFor);
  }

  // Resolved (by the IC, or by auto-resolve): the postmortem, the actions, the undo offers, then closed.
  await condition(incident.isResolved);
  closure.writePostmortemDraft();
  await Promise.all([closure.closeWhenActionsEnd(), expireUndos(incident)]);
  await condition(() => allHandlersFinished() && containment.settled());
  await channelFollowed;
  return state;
}

/** A continued run: the incident as the previous run left it, every wait resumed where it was. */
async function resume(
  incident: Incident,
  containment: Containment,
  closure: Closure,
  obligations: Obligations,
): Promise<IncidentState> {
  const { state, runbook } = incident;
  incident.publish(); // visibility follows this run too
  obligations.resume(); // legal clocks run on after resolution too
  const channelFollowed = followInChannel({
    state,
    chat: incident.activities,
    memory: incident.chat,
    resumed: true,
    responders: runbook.responders,
    groups: incident.groups,
    needsDecision: containment.needsDecision,
    describeApprovers: containment.describeApprovers,
    record: incident.record,
    opened: () => undefined,
  });
  for (const step of state.steps) if (containment.evidence.holding(step)) void containment.runOnceOverridden(step);
  if (!incident.isResolved()) {
    for (const step of state.steps) if (step.status === 'pending') void containment.supervise(step, true);
    void remindStatusUpdates(incident, true);
    if (incident.autoResolve && runbook.autoResolve)
      void autoResolveWhenQuiet(incident, closure, runbook.autoResolve.quietFor, true);
    await condition(incident.isResolved);
    closure.writePostmortemDraft();
    await Promise.all([closure.closeWhenActionsEnd(), expireUndos(incident)]);
  } else {
    if (!state.postmortem) closure.writePostmortemDraft();
    await Promise.all([closure.closeWhenActionsEnd(true), expireUndos(incident, true)]);
  }
  await condition(() => allHandlersFinished() && containment.settled());
  await channelFollowed;
  return state;
}

/** Who chose the declared severity, for its pre-approvals (see Containment.vouchForSeverity). */
function severitySetter(input: DeclareInput): Parameters<Containment['vouchForSeverity']>[0] {
  if (input.severityFrom === 'runbook' || input.severityFrom === 'alert') return input.severityFrom;
  return { actor: input.declaredBy, memberOf: input.declarerMemberOf ?? [] };
}
