// What the incident workflow answers: its query, signals and Updates. Each Update's validator refuses a
// bad request before anything reaches history; its body changes the incident.
import { condition, patched, setHandler } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import { DAY_MS } from '../constants.js';
import { FailureType } from '../failures.js';
import {
  acknowledgeUpdate,
  actionChangedSignal,
  addActionUpdate,
  alertsSignal,
  approvalRefusedSignal,
  approveStepUpdate,
  assignCommanderUpdate,
  closeActionUpdate,
  completePostmortemUpdate,
  completeTriageUpdate,
  getStateQuery,
  rejectStepUpdate,
  resolveUpdate,
  setSeverityUpdate,
  ticketClosedSignal,
  waiveActionUpdate,
  waiveSignal,
  type StepDecisionInput,
} from '../messages.js';
import { ACTION_KINDS, SEVERITIES, type CorrectiveAction } from '../types.js';
import { takeAlerts } from './alerts.js';
import { describeRoles, mayDecide } from './approvers.js';
import type { Closure } from './closure.js';
import type { Containment } from './containment.js';
import { actorOf, now, refuse, requireActor, requireText, type Incident } from './incident.js';

export function registerHandlers(incident: Incident, containment: Containment, closure: Closure) {
  const { state } = incident;

  /**
   * Update handlers exist from the first moment (an approval may arrive while the runbook loads), but
   * judge a request only once the runbook is loaded: the validator defers, the handler waits and judges.
   */
  const handleOnceReady = <Args extends unknown[], Ret>(
    update: UpdateDefinition<Ret, Args>,
    validate: (...args: NoInfer<Args>) => void,
    handle: (...args: NoInfer<Args>) => NoInfer<Ret> | Promise<NoInfer<Ret>>,
  ) => {
    setHandler(
      update,
      async (...args: Args) => {
        if (!incident.ready) {
          await condition(() => incident.ready);
          validate(...args);
        }
        return handle(...args);
      },
      { validator: (...args: Args) => (incident.ready ? validate(...args) : undefined) },
    );
  };

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

  setHandler(approvalRefusedSignal, (refusal) => incident.recordRefusal(refusal));

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
      if (incident.severityAuthority) {
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
      if (patched('handover-notice')) {
        void incident.notify(
          [`ic:${from}`],
          `You handed over ${state.id}`,
          `${by.actor} made ${state.commander} the incident commander of ${state.id} (${state.severity}): ${state.title}.`,
        );
      }
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

  handleOnceReady(
    addActionUpdate,
    (request) => {
      requireActor(request?.actor);
      if (state.status === 'closed') refuse(FailureType.conflict, `${state.id} is closed`);
      incident.requirePermission('addAction', request, `add a corrective action to ${state.id}`);
      requireText(request.title, 'title');
      requireActor(request.owner, 'owner');
      if (!ACTION_KINDS.includes(request.kind))
        refuse(FailureType.invalid, `kind must be one of ${ACTION_KINDS.join(', ')}`);
      if (request.dueAt !== undefined) {
        const due = parseDue(request.dueAt);
        if (Number.isNaN(due))
          refuse(FailureType.invalid, `dueAt must be a date (2026-12-24) or an ISO date-time, not "${request.dueAt}"`);
        if (due <= Date.now()) refuse(FailureType.invalid, `dueAt ${request.dueAt} is not in the future`);
      }
    },
    async (request) => {
      const days = incident.runbook.postmortem.actionDueDays[state.severity];
      const action: CorrectiveAction = {
        id: `A${state.actions.length + 1}`,
        kind: request.kind,
        title: request.title.trim(),
        owner: request.owner.trim(),
        dueAt: new Date(request.dueAt ? parseDue(request.dueAt) : Date.now() + days * DAY_MS).toISOString(),
        addedBy: request.actor.trim(),
        addedAt: now(),
        status: 'open',
        escalation: 'owner',
        reminders: 0,
      };
      state.actions.push(action);
      incident.record(
        'action.added',
        actorOf(request),
        `${action.id} (${action.kind}) "${action.title}" for ${action.owner}, due ${action.dueAt}`,
        { actionId: action.id },
      );
      closure.refreshPostmortem();
      await closure.startAction(action);
      return action;
    },
  );

  handleOnceReady(
    waiveActionUpdate,
    (input) => {
      const { actionId, reason } = input;
      requireActor(input?.actor);
      const action = closure.findAction(actionId);
      incident.requirePermission('waiveAction', input, `waive ${action.id}`, action.owner);
      requireText(reason, 'reason');
      if (action.status !== 'open') refuse(FailureType.conflict, `${action.id} is already ${action.status}`);
    },
    async (input) => {
      const action = closure.findAction(input.actionId);
      const [by, why] = [actorOf(input), input.reason.trim()];
      const handle = await closure.handleOf(action.id);
      if (handle && !closure.isUntracked(action.id)) {
        await handle
          .signal(waiveSignal, { by: by.actor, reason: why })
          .catch((err: unknown) => closure.lostTrack(action, err));
        // It may have closed just before: then it stays closed, and that is the answer.
        await condition(() => action.status !== 'open' || closure.isUntracked(action.id));
      }
      if (action.status === 'open') closure.waiveUntracked(action, by, why);
      return action;
    },
  );

  handleOnceReady(
    closeActionUpdate,
    (input) => {
      requireActor(input?.actor);
      const action = closure.findAction(input.actionId);
      if (action.status !== 'open') refuse(FailureType.conflict, `${action.id} is already ${action.status}`);
      incident.requirePermission('closeAction', input, `close ${action.id}`, action.owner);
    },
    async (input) => {
      const action = closure.findAction(input.actionId);
      const by = actorOf(input);
      const handle = await closure.handleOf(action.id);
      if (handle && !closure.isUntracked(action.id)) {
        await handle
          .signal(ticketClosedSignal, { by: by.actor })
          .catch((err: unknown) => closure.lostTrack(action, err));
        await condition(() => action.status !== 'open' || closure.isUntracked(action.id));
      }
      if (action.status === 'open') closure.closeUntracked(action, by);
      return action;
    },
  );

  setHandler(actionChangedSignal, ({ action: changed, event }) => {
    const action = state.actions.find((a) => a.id === changed.id);
    if (!action) return;
    Object.assign(action, changed);
    state.timeline.push(event);
    closure.refreshPostmortem();
  });

  handleOnceReady(
    completePostmortemUpdate,
    (input) => {
      requireActor(input?.actor);
      incident.requirePermission('completePostmortem', input, `complete the postmortem of ${state.id}`);
      if (!state.postmortem)
        refuse(
          FailureType.conflict,
          `${state.id} has no postmortem yet: the draft is written when the incident is resolved`,
        );
      const done = state.postmortem.completedAt;
      if (done)
        refuse(FailureType.conflict, `The postmortem was completed by ${state.postmortem.completedBy} at ${done}`);
    },
    async (input) => {
      closure.refreshPostmortem();
      Object.assign(state.postmortem!, { completedAt: now(), completedBy: input.actor.trim() });
      const open = closure.openActions().length;
      incident.record(
        'postmortem.completed',
        actorOf(input),
        `Postmortem completed${open ? `; the incident closes when its ${open} open action(s) end` : ''}`,
      );
      // With nothing left open the incident closes now: answer with it closed.
      await condition(() => state.status === 'closed' || closure.openActions().length > 0);
      return state;
    },
  );
}

/** A date alone means the end of that day (UTC): "due 2026-12-24" is met by a close that evening. */
function parseDue(value: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T23:59:59.999Z`) : Date.parse(value);
}
