// From resolution to closed: the resolution itself, the postmortem draft, the corrective actions (each
// its own child workflow), and closing once every action has ended.
import {
  ParentClosePolicy,
  condition,
  getExternalWorkflowHandle,
  startChild,
  type ExternalWorkflowHandle,
} from '@temporalio/workflow';
import { durationMs } from '../../runbooks/duration.js';
import { DEFAULT_REMINDER_POLICY } from '../../runbooks/reminder-policy.js';
import { SYSTEM } from '../constants.js';
import { correctiveActionWorkflow } from '../corrective-action.js';
import { FailureType, failureMessage } from '../failures.js';
import { commanderChangedSignal, incidentClosedSignal } from '../messages.js';
import type { CorrectiveAction } from '../types.js';
import type { Containment } from './containment.js';
import type { Incident } from './incident.js';
import { actorOf, now, refuse, requireText, type ActorRef } from './requests.js';
import { renderPostmortem } from './postmortem.js';
import { offerUndos } from './undos.js';
import { isPending } from './obligations.js';

/** Where the runbook requires no postmortem, how long after resolution the team may still add actions. */
const POSTMORTEM_GRACE = '7d';

/** What the incident does with an action's workflow: tell it things. */
export type ActionHandle = Pick<ExternalWorkflowHandle, 'signal'>;

export class Closure {
  /** Each action's child workflow, once started (undefined if it could not start). */
  private readonly handles = new Map<string, Promise<ActionHandle | undefined>>();
  /** Actions whose child workflow failed or was terminated: only a waiver can end them now. */
  private readonly untracked = new Set<string>();

  /**
   * `carried`: the actions of a continued run. Their workflows were started by an earlier run; they
   * report to this one by signal, and are told things by workflow id.
   */
  constructor(
    private readonly incident: Incident,
    private readonly containment: Containment,
    carried?: { untracked: string[] },
  ) {
    if (!carried) return;
    for (const id of carried.untracked) this.untracked.add(id);
    for (const action of incident.state.actions)
      this.handles.set(
        action.id,
        Promise.resolve(getExternalWorkflowHandle(actionWorkflowId(incident.state.id, action.id))),
      );
  }

  untrackedActions = () => [...this.untracked];

  /** The incident is resolved: by the IC, or by the runbook's auto-resolve once its alerts have been quiet long enough. */
  resolve(by: ActorRef, summary: string) {
    const { incident } = this;
    const { state } = incident;
    const actor = by.actor;
    incident.acknowledgedBy(actor);
    state.status = 'resolved';
    state.resolvedAt = now();
    state.summary = summary.trim();
    this.containment.expirePending();
    incident.record('status.resolved', actorOf(by), `Resolved: ${state.summary}`);
    incident.followPage('resolve');
    const resolution = `Resolved by ${actor.trim()} at ${state.resolvedAt}: ${state.summary}`;
    void incident.onRecord('note the resolution', (ticket) =>
      incident.activities.commentOnTicket({ ticket, marker: `${state.id}/resolved`, text: resolution }),
    );
    offerUndos(incident);
    incident.publish();
  }

  /** The draft follows the incident (actions added, closed) until the IC completes it. */
  refreshPostmortem() {
    const { state } = this.incident;
    if (state.postmortem && !state.postmortem.completedAt) state.postmortem.markdown = renderPostmortem(state);
  }

  writePostmortemDraft() {
    const { incident } = this;
    const { state } = incident;
    const required = incident.runbook.postmortem.requiredAt.includes(state.severity);
    state.status = 'postmortem';
    state.postmortem = { required, draftedAt: now(), markdown: '' };
    incident.record(
      'postmortem.drafted',
      SYSTEM,
      `Postmortem draft written${required ? `; required at ${state.severity}, so the IC completes it before the incident closes` : ''}`,
    );
    this.refreshPostmortem();
    incident.publish();
  }

  openActions = () => this.incident.state.actions.filter((a) => a.status === 'open');

  findAction(actionId: unknown): CorrectiveAction {
    const { state } = this.incident;
    const id = requireText(actionId, 'actionId');
    const action = state.actions.find((a) => a.id === id);
    if (!action)
      refuse(
        FailureType.notFound,
        `${state.id} has no corrective action "${id}" (actions: ${state.actions.map((a) => a.id).join(', ') || 'none'})`,
      );
    return action;
  }

  startAction(action: CorrectiveAction) {
    const { state, runbook } = this.incident;
    const started = this.incident
      .track(() =>
        startChild(correctiveActionWorkflow, {
          workflowId: actionWorkflowId(state.id, action.id),
          args: [
            {
              incidentId: state.id,
              incidentTitle: state.title,
              severity: state.severity,
              commander: state.commander,
              action: { ...action },
              reminders: { ...DEFAULT_REMINDER_POLICY, ...runbook.postmortem?.actionReminders },
            },
          ],
          // An action outlives an incident workflow that an operator terminates (or that continues as new):
          // it keeps reminding until it ends.
          parentClosePolicy: ParentClosePolicy.ABANDON,
        }),
      )
      .then(
        (handle) => {
          void handle.result().then(
            (final) => void Object.assign(action, final),
            (err) => this.lostTrack(action, err),
          );
          return handle;
        },
        (err) => {
          this.lostTrack(action, err);
          return undefined;
        },
      );
    this.handles.set(action.id, started);
    return started;
  }

  /** The action's child workflow, once started; undefined if it could not start. */
  handleOf = (actionId: string) => this.handles.get(actionId);

  /** Whether the action's child workflow is gone (failed or terminated): then only a waiver here ends it. */
  isUntracked = (actionId: string) => this.untracked.has(actionId);

  /** A waiver of an action whose child workflow is gone is recorded here, where the IC made it. */
  waiveUntracked(action: CorrectiveAction, by: ActorRef, reason: string) {
    Object.assign(action, { status: 'waived', endedAt: now(), endedBy: by.actor, waiverReason: reason });
    this.incident.record('action.waived', by, `${action.id} waived: ${reason}`, { actionId: action.id });
    this.refreshPostmortem();
  }

  /** A closure of an action whose child workflow is gone is recorded here, as a waiver would be. */
  closeUntracked(action: CorrectiveAction, by: ActorRef) {
    const endedAt = now();
    Object.assign(action, {
      status: 'closed',
      endedAt,
      endedBy: by.actor,
      onTime: Date.parse(endedAt) <= Date.parse(action.dueAt),
    });
    this.incident.record('action.closed', by, `${action.id} closed by ${by.actor}`, { actionId: action.id });
    this.refreshPostmortem();
  }

  /** Open actions remind the new IC from now on. */
  tellActionsOfCommander() {
    const { state } = this.incident;
    for (const action of state.actions) {
      if (action.status !== 'open') continue;
      void this.handles
        .get(action.id)
        ?.then((handle) =>
          handle
            ? this.incident.track(() => handle.signal(commanderChangedSignal, { commander: state.commander }))
            : undefined,
        )
        .catch(() => undefined);
    }
  }

  lostTrack(action: CorrectiveAction, err: unknown) {
    this.untracked.add(action.id);
    this.incident.record(
      'action.failed',
      SYSTEM,
      `${action.id} is no longer tracked (${failureMessage(err)}); the IC may waive it`,
      { actionId: action.id },
    );
  }

  /**
   * postmortem → closed: every corrective action ended, and the postmortem completed where the runbook
   * requires one; where it does not, the IC completes it or POSTMORTEM_GRACE passes (time to add actions).
   */
  async closeWhenActionsEnd(resumed = false) {
    const { incident } = this;
    const { state } = incident;
    const postmortem = state.postmortem!;
    const completed = () => postmortem.completedAt !== undefined;
    const graceMs = resumed
      ? Math.max(1, Date.parse(postmortem.draftedAt) + durationMs(POSTMORTEM_GRACE) - Date.now())
      : durationMs(POSTMORTEM_GRACE);
    if (postmortem.required) await condition(completed);
    else await condition(completed, graceMs);
    // Nor while an obligation's report is still owed (none for incidents from before obligations).
    await condition(() => this.openActions().length === 0 && !state.obligations?.some(isPending));
    state.status = 'closed';
    state.closedAt = now();
    const ended = state.actions.length
      ? `; ${state.actions.filter((a) => a.status === 'closed').length} action(s) closed, ${state.actions.filter((a) => a.status === 'waived').length} waived`
      : '';
    incident.record('status.closed', SYSTEM, `Closed${ended}`);
    incident.publish();
    if (incident.input.alertGroup) {
      // Best effort: an intake that already ended has nothing to be told.
      const intake = getExternalWorkflowHandle(incident.input.alertGroup);
      await incident.track(() => intake.signal(incidentClosedSignal, { incidentId: state.id })).catch(() => undefined);
    }
    await incident.onRecord('attach the postmortem and close it', async (ticket) => {
      await incident.activities.commentOnTicket({
        ticket,
        marker: `${state.id}/postmortem`,
        text: state.postmortem?.markdown ?? '',
      });
      await incident.activities.closeIncidentRecord(ticket);
      incident.record(
        'record.closed',
        SYSTEM,
        `Postmortem attached to the incident record ${ticket.key}, which is closed`,
      );
    });
    await incident.notify(
      [`ic:${state.commander}`],
      `Incident closed: ${state.title}`,
      `${state.id} is closed${ended}.`,
    );
  }
}

/** An action's workflow id: the incident's, then the action's. */
const actionWorkflowId = (incidentId: string, actionId: string) => `${incidentId}-${actionId}`;
