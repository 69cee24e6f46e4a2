// The Updates and signals about corrective actions and the postmortem.
import { condition, setHandler } from '@temporalio/workflow';
import { DAY_MS } from '../constants.js';
import { FailureType } from '../failures.js';
import {
  actionChangedSignal,
  addActionUpdate,
  closeActionUpdate,
  completePostmortemUpdate,
  ticketClosedSignal,
  waiveActionUpdate,
  waiveSignal,
} from '../messages.js';
import { ACTION_KINDS, type CorrectiveAction } from '../types.js';
import type { Closure } from './closure.js';
import type { Incident } from './incident.js';
import { actorOf, now, refuse, requireActor, requireText } from './requests.js';
import type { HandleOnceReady } from './ready.js';
import { isPending } from './obligations.js';

export function registerActionHandlers(incident: Incident, closure: Closure, handleOnceReady: HandleOnceReady) {
  const { state } = incident;

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
        await incident
          .track(() => handle.signal(waiveSignal, { by: by.actor, reason: why }))
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
        await incident
          .track(() => handle.signal(ticketClosedSignal, { by: by.actor }))
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
      // With nothing left open the incident closes now: answer with it closed (an obligation owed holds it open).
      await condition(
        () => state.status === 'closed' || closure.openActions().length > 0 || !!state.obligations?.some(isPending),
      );
      return state;
    },
  );
}

/** A date alone means the end of that day (UTC): "due 2026-12-24" is met by a close that evening. */
function parseDue(value: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T23:59:59.999Z`) : Date.parse(value);
}
