// What the incident workflow answers: its query, signals and Updates. Each Update's validator refuses a
// bad request before anything reaches history; its body changes the incident.
import { condition, setHandler } from '@temporalio/workflow';
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
  completePostmortemUpdate,
  completeTriageUpdate,
  getStateQuery,
  rejectStepUpdate,
  resolveUpdate,
  setSeverityUpdate,
  waiveActionUpdate,
  waiveSignal,
  type StepDecisionInput,
} from '../messages.js';
import { ACTION_KINDS, SEVERITIES, type CorrectiveAction, type Severity } from '../types.js';
import { takeAlerts } from './alerts.js';
import { describeApprovers, mayDecide } from './approvers.js';
import type { Closure } from './closure.js';
import type { Containment } from './containment.js';
import { now, refuse, requireText, type Incident } from './incident.js';

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
    const actor = requireText(decision?.actor, 'actor');
    const step = incident.findStep(decision.stepId);
    if (incident.isResolved() && step.kind !== 'undo') refuse(FailureType.conflict, `${state.id} is already resolved`);
    if (step.status !== 'pending') {
      const by = step.decision ? ` (${step.decision.outcome} by ${step.decision.by} at ${step.decision.at})` : '';
      refuse(FailureType.conflict, `Step "${step.id}" is ${step.status}, not pending${by}`);
    }
    const memberOf = Array.isArray(decision.memberOf) ? decision.memberOf : [];
    if (!mayDecide(actor, step.approvers, state.commander, incident.groups, memberOf)) {
      refuse(FailureType.notAuthorized, `${actor} may not ${verb} step "${step.id}": allowed are ${describeApprovers(step.approvers, state.commander, incident.groups)}`);
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
      await containment.approve(step, decision.actor.trim(), decision.reason?.trim() || undefined);
      return step;
    },
  );

  handleOnceReady(
    rejectStepUpdate,
    (decision) => validateDecision(decision, 'reject'),
    (decision) => {
      const step = incident.findStep(decision.stepId);
      incident.acknowledgedBy(decision.actor);
      containment.reject(step, decision.actor.trim(), decision.reason?.trim() ?? '');
      return step;
    },
  );

  setHandler(alertsSignal, ({ alerts }) => takeAlerts(incident, alerts));

  setHandler(approvalRefusedSignal, (refusal) => {
    incident.record('approval.refused', String(refusal.actor), `Refused: ${refusal.reason}`, { stepId: refusal.stepId });
  });

  handleOnceReady(
    completeTriageUpdate,
    ({ itemId, actor }) => {
      requireText(actor, 'actor');
      incident.requireOpen();
      const item = state.triage.find((t) => t.id === itemId);
      if (!item) refuse(FailureType.notFound, `${state.id} has no triage item "${itemId}" (items: ${state.triage.map((t) => t.id).join(', ') || 'none'})`);
      if (item.done) refuse(FailureType.conflict, `Triage item "${itemId}" was done by ${item.done.by} at ${item.done.at}`);
    },
    ({ itemId, actor, note }) => {
      const item = state.triage.find((t) => t.id === itemId)!;
      incident.acknowledgedBy(actor);
      item.done = { by: actor.trim(), at: now(), ...(note?.trim() ? { note: note.trim() } : {}) };
      incident.record('triage.done', item.done.by, `Triage: ${item.title}${item.done.note ? ` (${item.done.note})` : ''}`, { itemId });
      return state;
    },
  );

  handleOnceReady(
    setSeverityUpdate,
    ({ actor, severity }) => {
      requireText(actor, 'actor');
      incident.requireOpen();
      if (!SEVERITIES.includes(severity as Severity)) refuse(FailureType.invalid, `severity must be one of ${SEVERITIES.join(', ')}`);
      if (severity === state.severity) refuse(FailureType.conflict, `${state.id} is already ${severity}`);
    },
    async ({ actor, severity }) => {
      const from = state.severity;
      incident.acknowledgedBy(actor);
      state.severity = severity;
      state.mitigationTarget = incident.runbook.mitigationTargets[severity];
      incident.record('severity.changed', actor.trim(), `Severity ${from} → ${severity}`);
      incident.publish();
      await Promise.all([incident.notifyStakeholders(`Severity ${from} → ${severity}`), incident.pageOnCall(`severity ${from} → ${severity}`)]);
      return state;
    },
  );

  handleOnceReady(
    assignCommanderUpdate,
    ({ actor, commander }) => {
      requireText(actor, 'actor');
      if (state.status === 'closed') refuse(FailureType.conflict, `${state.id} is closed`);
      if (requireText(commander, 'commander') === state.commander) {
        refuse(FailureType.conflict, `${state.commander} is already the incident commander`);
      }
    },
    ({ actor, commander }) => {
      const from = state.commander;
      state.commander = commander.trim();
      incident.record('commander.assigned', actor.trim(), `Incident commander ${from} → ${state.commander}`);
      incident.publish();
      closure.tellActionsOfCommander();
      return state;
    },
  );

  handleOnceReady(
    resolveUpdate,
    ({ actor, summary }) => {
      const who = requireText(actor, 'actor');
      requireText(summary, 'summary');
      incident.requireOpen();
      incident.requireCommander(who, `resolve ${state.id}`);
    },
    ({ actor, summary }) => {
      closure.resolve(actor, summary);
      return state;
    },
  );

  handleOnceReady(
    acknowledgeUpdate,
    ({ actor }) => {
      const who = requireText(actor, 'actor');
      incident.requireOpen();
      incident.requireCommander(who, `acknowledge ${state.id}`);
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
      requireText(request?.actor, 'actor');
      if (state.status === 'closed') refuse(FailureType.conflict, `${state.id} is closed`);
      requireText(request.title, 'title');
      requireText(request.owner, 'owner');
      if (!ACTION_KINDS.includes(request.kind)) refuse(FailureType.invalid, `kind must be one of ${ACTION_KINDS.join(', ')}`);
      if (request.dueAt !== undefined) {
        const due = parseDue(request.dueAt);
        if (Number.isNaN(due)) refuse(FailureType.invalid, `dueAt must be a date (2026-12-24) or an ISO date-time, not "${request.dueAt}"`);
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
      incident.record('action.added', action.addedBy, `${action.id} (${action.kind}) "${action.title}" for ${action.owner}, due ${action.dueAt}`, { actionId: action.id });
      closure.refreshPostmortem();
      await closure.startAction(action);
      return action;
    },
  );

  handleOnceReady(
    waiveActionUpdate,
    ({ actor, actionId, reason }) => {
      const who = requireText(actor, 'actor');
      const action = closure.findAction(actionId);
      incident.requireCommander(who, `waive ${action.id}`);
      requireText(reason, 'reason');
      if (action.status !== 'open') refuse(FailureType.conflict, `${action.id} is already ${action.status}`);
    },
    async ({ actor, actionId, reason }) => {
      const action = closure.findAction(actionId);
      const [by, why] = [actor.trim(), reason.trim()];
      const handle = await closure.handleOf(action.id);
      if (handle && !closure.isUntracked(action.id)) {
        await handle.signal(waiveSignal, { by, reason: why }).catch((err: unknown) => closure.lostTrack(action, err));
        // It may have closed just before: then it stays closed, and that is the answer.
        await condition(() => action.status !== 'open' || closure.isUntracked(action.id));
      }
      if (action.status === 'open') closure.waiveUntracked(action, by, why);
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
    ({ actor }) => {
      const who = requireText(actor, 'actor');
      incident.requireCommander(who, `complete the postmortem of ${state.id}`);
      if (!state.postmortem) refuse(FailureType.conflict, `${state.id} has no postmortem yet: the draft is written when the incident is resolved`);
      const done = state.postmortem.completedAt;
      if (done) refuse(FailureType.conflict, `The postmortem was completed by ${state.postmortem.completedBy} at ${done}`);
    },
    async ({ actor }) => {
      closure.refreshPostmortem();
      Object.assign(state.postmortem!, { completedAt: now(), completedBy: actor.trim() });
      const open = closure.openActions().length;
      incident.record('postmortem.completed', actor.trim(), `Postmortem completed${open ? `; the incident closes when its ${open} open action(s) end` : ''}`);
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
