// What the incident workflow answers: its query, signals and Updates. Each Update's validator refuses a
// bad request before anything reaches history; its body changes the incident.
import { deprecatePatch, setHandler } from '@temporalio/workflow';
import { FailureType } from '../failures.js';
import {
  acknowledgeUpdate,
  alertsSignal,
  approvalRefusedSignal,
  approveStepUpdate,
  assignCommanderUpdate,
  completeTriageUpdate,
  getStateQuery,
  rejectStepUpdate,
  resolveUpdate,
  setSeverityUpdate,
  type StepDecisionInput,
} from '../messages.js';
import { SEVERITIES } from '../types.js';
import { takeAlerts } from './alerts.js';
import { describeRoles, mayDecide } from './approvers.js';
import type { Closure } from './closure.js';
import type { Containment } from './containment.js';
import type { Incident } from './incident.js';
import { actorOf, now, refuse, requireActor, requireText } from './requests.js';
import { registerActionHandlers } from './action-handlers.js';
import { registerEvidenceHandlers } from './evidence-handlers.js';
import { registerPublishHandler } from './publish-handlers.js';
import { registerObligationHandlers } from './obligation-handlers.js';
import type { Obligations } from './obligations.js';
import { onceReady } from './ready.js';
import { registerStatusUpdateHandlers } from './status-update-handlers.js';

export function registerHandlers(incident: Incident, containment: Containment, closure: Closure): Obligations {
  const { state } = incident;

  const handleOnceReady = onceReady(incident);

  const validateDecision = (decision: StepDecisionInput, verb: 'approve' | 'reject') => {
    const actor = requireActor(decision?.actor);
    const step = incident.findStep(decision.stepId);
    if (incident.isResolved() && step.kind !== 'undo') refuse(FailureType.conflict, `${state.id} is already resolved`);
    if (step.status !== 'pending') {
      const by = step.decision ? ` (${step.decision.outcome} by ${step.decision.by} at ${step.decision.at})` : '';
      refuse(FailureType.conflict, `Step "${step.id}" is ${step.status}, not pending${by}`);
    }
    const memberOf = Array.isArray(decision.memberOf) ? decision.memberOf : [];
    if (!mayDecide(actor, step.approvers, state.commander, incident.groups, memberOf)) {
      refuse(
        FailureType.notAuthorized,
        `${actor} may not ${verb} step "${step.id}": only ${describeRoles(step.approvers)} may`,
      );
    }
    if (verb === 'reject') requireText(decision.reason, 'reason');
  };

  setHandler(getStateQuery, () => state);

  handleOnceReady(
    approveStepUpdate,
    (decision) => validateDecision(decision, 'approve'),
    async (decision) => {
      const step = incident.findStep(decision.stepId);
      incident.acknowledgedBy(decision.actor);
      await containment.approve(step, actorOf(decision), decision.reason?.trim() || undefined);
      return step;
    },
  );

  handleOnceReady(
    rejectStepUpdate,
    (decision) => validateDecision(decision, 'reject'),
    (decision) => {
      const step = incident.findStep(decision.stepId);
      incident.acknowledgedBy(decision.actor);
      containment.reject(step, actorOf(decision), decision.reason?.trim() ?? '');
      return step;
    },
  );

  setHandler(alertsSignal, ({ alerts }) => takeAlerts(incident, alerts));

  setHandler(approvalRefusedSignal, (refusal) => incident.refusals.record(refusal));

  handleOnceReady(
    completeTriageUpdate,
    (input) => {
      const { itemId } = input;
      incident.requirePermission('triage', input, `complete triage of ${state.id}`);
      incident.requireOpen();
      const item = state.triage.find((t) => t.id === itemId);
      if (!item)
        refuse(
          FailureType.notFound,
          `${state.id} has no triage item "${itemId}" (items: ${state.triage.map((t) => t.id).join(', ') || 'none'})`,
        );
      if (item.done)
        refuse(FailureType.conflict, `Triage item "${itemId}" was done by ${item.done.by} at ${item.done.at}`);
    },
    (input) => {
      const { itemId, actor, note } = input;
      const item = state.triage.find((t) => t.id === itemId)!;
      incident.acknowledgedBy(actor);
      item.done = { by: actor.trim(), at: now(), ...(note?.trim() ? { note: note.trim() } : {}) };
      incident.record(
        'triage.done',
        actorOf(input),
        `Triage: ${item.title}${item.done.note ? ` (${item.done.note})` : ''}`,
        { itemId },
      );
      return state;
    },
  );

  handleOnceReady(
    setSeverityUpdate,
    (input) => {
      const { severity } = input;
      requireActor(input?.actor);
      incident.requireOpen();
      if (!SEVERITIES.includes(severity))
        refuse(FailureType.invalid, `severity must be one of ${SEVERITIES.join(', ')}`);
      if (severity === state.severity) refuse(FailureType.conflict, `${state.id} is already ${severity}`);
      incident.requirePermission(
        incident.policy.severityTo[severity] ?? incident.policy.changeSeverity,
        input,
        `set ${state.id} to ${severity}`,
      );
    },
    async (input) => {
      const { actor, severity } = input;
      const from = state.severity;
      incident.acknowledgedBy(actor);
      state.severity = severity;
      state.mitigationTarget = incident.runbook.mitigationTargets[severity];
      incident.record('severity.changed', actorOf(input), `Severity ${from} → ${severity}`);
      incident.publish();
      const told = [
        incident.notifyStakeholders(`Severity ${from} → ${severity}`),
        incident.pageOnCall(`severity ${from} → ${severity}`),
      ];
      containment.vouchForSeverity({
        actor: actor.trim(),
        memberOf: Array.isArray(input.memberOf) ? input.memberOf : [],
      });
      for (const step of containment.armedByRaise()) {
        const timeout =
          incident.plans.get(step.id)!.approval.timeoutBySeverity[severity] ??
          incident.plans.get(step.id)!.approval.timeout;
        const text = `${state.id}: ${actor.trim()} set ${severity}; "${step.title}" is pre-approved at ${severity} and runs unattended if nobody decides within ${timeout}.`;
        told.push(
          incident.notify(
            step.approvers.map((ref) => (ref === 'ic' ? `ic:${state.commander}` : ref)),
            `Runs in ${timeout} unless decided: ${step.title}`,
            text,
          ),
        );
      }
      await Promise.all(told);
      return state;
    },
  );

  handleOnceReady(
    assignCommanderUpdate,
    (input) => {
      requireActor(input?.actor);
      if (incident.isResolved())
        refuse(FailureType.conflict, `${state.id} is ${state.status}: command no longer changes hands`);
      if (requireActor(input.commander, 'commander') === state.commander) {
        refuse(FailureType.conflict, `${state.commander} is already the incident commander`);
      }
      incident.requirePermission('handover', input, `hand over command of ${state.id}`);
    },
    (input) => {
      const from = state.commander;
      state.commander = input.commander.trim();
      const by = actorOf(input);
      incident.record('commander.assigned', by, `Incident commander ${from} → ${state.commander}`);
      incident.publish();
      closure.tellActionsOfCommander();
      deprecatePatch('handover-notice');
      void incident.notify(
        [`ic:${from}`],
        `You handed over ${state.id}`,
        `${by.actor} made ${state.commander} the incident commander of ${state.id} (${state.severity}): ${state.title}.`,
      );
      return state;
    },
  );

  handleOnceReady(
    resolveUpdate,
    (input) => {
      requireActor(input?.actor);
      requireText(input.summary, 'summary');
      incident.requireOpen();
      incident.requirePermission('resolve', input, `resolve ${state.id}`);
    },
    (input) => {
      closure.resolve(actorOf(input), input.summary);
      return state;
    },
  );

  handleOnceReady(
    acknowledgeUpdate,
    (input) => {
      requireActor(input?.actor);
      incident.requireOpen();
      incident.requirePermission('acknowledge', input, `acknowledge ${state.id}`);
      if (state.acknowledgedAt) refuse(FailureType.conflict, `${state.id} was acknowledged at ${state.acknowledgedAt}`);
    },
    ({ actor }) => {
      incident.acknowledgedBy(actor);
      return state;
    },
  );

  registerActionHandlers(incident, closure, handleOnceReady);
  registerPublishHandler(incident, handleOnceReady);
  registerEvidenceHandlers(incident, containment, handleOnceReady);
  registerStatusUpdateHandlers(incident, closure, handleOnceReady);
  return registerObligationHandlers(incident, handleOnceReady);
}
