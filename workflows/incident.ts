import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { IncidentActivities } from '../activities/index.js';
import type { FlagReading } from '../integrations/flags/provider.js';
import { durationMs, formatDuration } from '../runbooks/duration.js';
import type { ApproverGroups, Runbook, RunbookStep } from '../runbooks/schema.js';
import { describeApprovers, mayDecide } from './approvers.js';
import { followInChannel } from './incident-channel.js';
import { actionFor, describeAction, type StepAction } from './containment-actions.js';
import { DEFAULT_REMINDER_POLICY } from '../runbooks/reminder-policy.js';
import { ACTIVITY_OPTIONS, DAY_MS, SYSTEM } from './constants.js';
import { correctiveActionWorkflow } from './corrective-action.js';
import { FailureType, failureMessage } from './failures.js';
import { changeTookEffect, restoring } from '../integrations/flags/expectations.js';
import {
  acknowledgeUpdate,
  actionChangedSignal,
  addActionUpdate,
  alertsSignal,
  approvalRefusedSignal,
  incidentClosedSignal,
  approveStepUpdate,
  assignCommanderUpdate,
  commanderChangedSignal,
  completePostmortemUpdate,
  completeTriageUpdate,
  getStateQuery,
  rejectStepUpdate,
  resolveUpdate,
  setSeverityUpdate,
  waiveActionUpdate,
  waiveSignal,
} from './messages.js';
import type { AlertSummary, ContainmentStep, CorrectiveAction, DeclareInput, IncidentState, Severity, Ticket } from './types.js';
import type { StepDecisionInput } from './messages.js';
import { ACTION_KINDS, SEVERITIES } from './types.js';
import { renderPostmortem } from './postmortem.js';
import { allResolved, tallyAlerts } from './alert-tally.js';
import { within } from './within.js';
import { IncidentCategory, IncidentCommander, IncidentSeverity, IncidentStatus } from './search-attributes.js';

const activities = proxyActivities<IncidentActivities>(ACTIVITY_OPTIONS);

/** How long the reversal of a containment step stays on offer after resolution. */
const UNDO_WINDOW = '7d';
/** Where the runbook requires no postmortem, how long after resolution the team may still add actions. */
const POSTMORTEM_GRACE = '7d';

function refuse(type: FailureType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') refuse(FailureType.invalid, `${field} is required`);
  return value.trim();
}

/** What the workflow keeps about a step beyond its public state: how to run it and how to undo it. */
interface StepPlan {
  action: StepAction;
  approval: RunbookStep['approval'];
  /** Set once the step ran: the flag as it was before, for undo. */
  previous?: FlagReading;
  /** Set once a model rollback ran: the version the alias served before, for undo. */
  previousVersion?: string;
}

/** One workflow per incident; its workflow id is the incident id. It runs the incident's runbook. */
export async function incidentWorkflow(input: DeclareInput): Promise<IncidentState> {
  const now = () => new Date().toISOString();
  const declaredAt = now();
  const state: IncidentState = {
    id: input.id,
    title: input.title,
    category: input.category,
    severity: input.severity,
    description: input.description,
    status: 'declared',
    commander: input.commander,
    declaredBy: input.declaredBy,
    declaredAt,
    ...(input.detectedAt && Date.parse(input.detectedAt) <= Date.parse(declaredAt) ? { detectedAt: input.detectedAt } : {}),
    ...(input.service ? { service: input.service } : {}),
    ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}),
    ...(input.repeatOf ? { repeatOf: input.repeatOf } : {}),
    triage: [],
    steps: [],
    notified: [],
    paged: [],
    actions: [],
    timeline: [],
  };
  const plans = new Map<string, StepPlan>();
  /** Each action's child workflow, once started (undefined if it could not start). */
  const actionHandles = new Map<string, Promise<ChildWorkflowHandle<typeof correctiveActionWorkflow> | undefined>>();
  /** Actions whose child workflow failed or was terminated: only a waiver can end them now. */
  const untracked = new Set<string>();
  let runbook!: Runbook;
  let groups: ApproverGroups = {};

  const record = (type: string, actor: string, message: string, data?: Record<string, unknown>) => {
    state.timeline.push({ at: now(), type, actor, message, ...(data ? { data } : {}) });
  };

  /** Time to acknowledge ends at the IC's first act on the incident, whatever it is. */
  const acknowledgedBy = (actor: string) => {
    if (state.acknowledgedAt || actor.trim() !== state.commander) return;
    state.acknowledgedAt = now();
    const took = Date.parse(state.acknowledgedAt) - Date.parse(state.declaredAt);
    record('acknowledged', state.commander, `Acknowledged by the IC ${formatDuration(took)} after declaration`, { timeToAcknowledgeMs: took });
    followPage('acknowledge');
  };

  const isResolved = () => state.status === 'resolved' || state.status === 'postmortem' || state.status === 'closed';

  const publish = () => {
    upsertSearchAttributes([
      { key: IncidentSeverity, value: state.severity },
      { key: IncidentStatus, value: state.status },
      { key: IncidentCategory, value: state.category },
      { key: IncidentCommander, value: state.commander },
    ]);
  };

  const notify = async (audience: string[], subject: string, text: string) => {
    if (!audience.length) return;
    try {
      await activities.notify({ incidentId: state.id, audience, subject, text });
      record('notification.sent', SYSTEM, `Notified ${audience.join(', ')}: ${subject}`);
    } catch (err) {
      record('notification.failed', SYSTEM, `Could not notify ${audience.join(', ')}: ${failureMessage(err)}`);
    }
  };

  /** Tells the stakeholder groups of the current severity that have not heard yet. */
  const notifyStakeholders = async (subject: string) => {
    const audience = (runbook.notifications[state.severity]?.notify ?? []).filter((group) => !state.notified.includes(group));
    state.notified.push(...audience);
    await notify(audience, subject, `${state.id} (${state.severity}, ${state.category}): ${state.title}. IC: ${state.commander}.`);
  };

  /** Pages the on-call rotations of the current severity that have not been paged yet. */
  const pageOnCall = async (reason: string) => {
    // Runbook snapshots recorded before paging existed have no `page`.
    const targets = (runbook.notifications[state.severity]?.page ?? []).filter((t) => !state.paged.includes(t));
    if (!targets.length) return;
    state.paged.push(...targets);
    const summary = `[${state.severity}] ${state.title} (${reason})`;
    try {
      const { delivered } = await activities.page({ incidentId: state.id, targets, severity: state.severity, summary });
      record('page.sent', SYSTEM, `Paged ${targets.join(', ')}: ${reason}, via ${delivered}`);
    } catch (err) {
      record('page.failed', SYSTEM, `Could not page ${targets.join(', ')}: ${failureMessage(err)}`);
    }
  };

  /**
   * The incident's own ticket: filed at declaration, told of the resolution, given the postmortem and
   * closed at the end; one call after another, so the tracker sees them in that order.
   */
  let recordWork = Promise.resolve();
  const openRecord = () => {
    if (!patched('incident-record')) return;
    recordWork = recordWork.then(async () => {
      try {
        state.record = await activities.openIncidentRecord({
          incidentId: state.id,
          title: `[${state.id}] ${state.severity} ${state.title}`,
          body: [
            state.description || state.title,
            `${state.severity} ${state.category}, declared by ${state.declaredBy} at ${state.declaredAt}; incident commander ${state.commander}; runbook "${runbook.title}".`,
            'This is the incident record: the resolution and the postmortem are added here, and it is closed when the incident closes.',
          ].join('\n\n'),
          severity: state.severity,
          labels: ['incident', `severity:${state.severity}`, `category:${state.category}`],
        });
        record('record.opened', SYSTEM, `Incident record ${state.record.key}: ${state.record.url}`);
      } catch (err) {
        record('record.failed', SYSTEM, `Could not file the incident record: ${failureMessage(err)}`);
      }
    });
  };
  const onRecord = (what: string, work: (ticket: Ticket) => Promise<void>) => {
    recordWork = recordWork.then(async () => {
      if (!state.record) return;
      try {
        await work(state.record);
      } catch (err) {
        record('record.failed', SYSTEM, `Could not ${what} on the incident record ${state.record.key}: ${failureMessage(err)}`);
      }
    });
    return recordWork;
  };

  /** Sent one after another, so PagerDuty never sees the resolution before the acknowledgement. */
  let pageUpdates = Promise.resolve();
  /** The page follows the incident: acknowledged once the IC has it, resolved with it. */
  const followPage = (action: 'acknowledge' | 'resolve') => {
    if (!state.paged.length || !patched('page-follows-incident')) return;
    pageUpdates = pageUpdates.then(async () => {
      try {
        const { delivered } = await activities.updatePage({ incidentId: state.id, action });
        record(`page.${action}d`, SYSTEM, `Page ${action}d, via ${delivered}`);
      } catch (err) {
        record('page.failed', SYSTEM, `Could not ${action} the page: ${failureMessage(err)}`);
      }
    });
  };

  const findStep = (stepId: unknown): ContainmentStep => {
    const id = requireText(stepId, 'stepId');
    const step = state.steps.find((s) => s.id === id);
    if (!step) {
      const known = state.steps.map((s) => s.id).join(', ') || 'none';
      refuse(FailureType.notFound, `${state.id} has no containment step "${id}" (steps: ${known})`);
    }
    return step;
  };

  const requireOpen = () => {
    if (isResolved()) refuse(FailureType.conflict, `${state.id} is already resolved`);
  };

  const requireCommander = (actor: string, what: string) => {
    if (actor !== state.commander) refuse(FailureType.notAuthorized, `${actor} may not ${what}: only the incident commander (${state.commander}) may`);
  };

  const validateDecision = (decision: StepDecisionInput, verb: 'approve' | 'reject') => {
    const actor = requireText(decision?.actor, 'actor');
    const step = findStep(decision.stepId);
    if (isResolved() && step.kind !== 'undo') refuse(FailureType.conflict, `${state.id} is already resolved`);
    if (step.status !== 'pending') {
      const by = step.decision ? ` (${step.decision.outcome} by ${step.decision.by} at ${step.decision.at})` : '';
      refuse(FailureType.conflict, `Step "${step.id}" is ${step.status}, not pending${by}`);
    }
    if (!mayDecide(actor, step.approvers, state.commander, groups, Array.isArray(decision.memberOf) ? decision.memberOf : [])) {
      refuse(FailureType.notAuthorized, `${actor} may not ${verb} step "${step.id}": allowed are ${describeApprovers(step.approvers, state.commander, groups)}`);
    }
    if (verb === 'reject') requireText(decision.reason, 'reason');
  };

  const markMitigated = (step: ContainmentStep) => {
    if (state.status !== 'triaging') return;
    state.status = 'mitigated';
    state.mitigatedAt = now();
    const took = Date.parse(state.mitigatedAt) - Date.parse(state.declaredAt);
    const target = state.mitigationTarget;
    const verdict = target ? (took <= durationMs(target) ? `within the ${target} target` : `missed the ${target} target`) : 'no target set';
    record('status.mitigated', SYSTEM, `Mitigated by "${step.title}" ${formatDuration(took)} after declaration (${verdict})`, {
      timeToMitigateMs: took,
      ...(target ? { target, breached: took > durationMs(target) } : {}),
    });
    publish();
  };

  /** A step that did not take effect is the IC's problem right now: recorded, and the IC is told. */
  const stepFailed = async (step: ContainmentStep, type: 'containment.failed' | 'containment.verification-failed', result: string) => {
    step.status = 'failed';
    step.result = result;
    record(type, SYSTEM, `Step "${step.id}": ${result}`, { stepId: step.id });
    await notify([`ic:${state.commander}`], `Containment step failed: ${step.title}`, `${state.id}: ${result}`);
  };
  const verifyFailed = (step: ContainmentStep, seen: string) => stepFailed(step, 'containment.verification-failed', `Verification failed: ${seen}`);

  /** Runs an approved step, then reads the state back; a failure is shown to the IC, never hidden. */
  const execute = async (step: ContainmentStep) => {
    const plan = plans.get(step.id)!;
    const action = plan.action;
    step.status = 'executing';
    step.decisionDue = undefined;
    let movedTo: string | undefined;
    try {
      if (action.type === 'flag') {
        const change = await activities.applyFlagChange({
          flagKey: action.flagKey,
          change: action.change,
          idempotencyKey: `${state.id}/${step.id}`,
          comment: `${state.id}: ${step.title} (approved by ${step.decision?.by})`,
        });
        plan.previous ??= change.previous;
        record('containment.executed', SYSTEM, change.summary, { stepId: step.id, changed: change.changed });
      } else if (action.type === 'model') {
        const moved = await activities.moveModelAlias({
          model: action.model,
          alias: action.alias,
          to: action.to,
          idempotencyKey: `${state.id}/${step.id}`,
          comment: `${state.id}: ${step.title} (approved by ${step.decision?.by})`,
        });
        plan.previousVersion ??= moved.previous;
        movedTo = moved.current;
        record('containment.executed', SYSTEM, moved.summary, { stepId: step.id, changed: moved.changed });
      } else {
        const outcome = await activities.httpAction({ request: action.request });
        record('containment.executed', SYSTEM, `${describeAction(action)} answered ${outcome.status}`, { stepId: step.id });
      }
    } catch (err) {
      return stepFailed(step, 'containment.failed', `Execution failed: ${failureMessage(err)}`);
    }

    try {
      if (action.type === 'flag') {
        const observed = await activities.readFlag({ flagKey: action.flagKey, expect: action.change, ...(action.context ? { context: action.context } : {}) });
        const via = observed.observedVia ? ` (observed through ${observed.observedVia})` : '';
        const seen = `flag ${action.flagKey} is ${observed.on ? 'on' : 'off'} and serves ${JSON.stringify(observed.value)}${via}`;
        if (!changeTookEffect(action.change, observed)) return verifyFailed(step, seen);
        step.result = `Verified: ${seen}`;
      } else if (action.type === 'model') {
        const observed = await activities.readModelAlias({ model: action.model, alias: action.alias });
        const seen = `model ${action.model} "${action.alias}" serves version ${observed.version} (observed through ${observed.observedVia})`;
        if (observed.version !== movedTo) return verifyFailed(step, `${seen}, expected version ${movedTo}`);
        step.result = `Verified: ${seen}`;
      } else if (action.verify) {
        const check = await activities.httpCheck(action.verify);
        const seen = `${action.verify.request.method} ${action.verify.request.url.split('?')[0]} answered ${check.status}`;
        if (!check.ok) return verifyFailed(step, `${seen}, expected ${action.verify.expectStatus}${action.verify.expectBodyIncludes ? ` with "${action.verify.expectBodyIncludes}"` : ''}`);
        step.result = `Verified: ${seen}`;
      } else {
        step.result = 'Executed; the runbook defines no verification for this step';
      }
    } catch (err) {
      return verifyFailed(step, `read-back failed: ${failureMessage(err)}`);
    }
    step.status = 'verified';
    record('containment.verified', SYSTEM, step.result, { stepId: step.id });
    if (step.kind !== 'undo') markMitigated(step);
  };

  const approve = async (step: ContainmentStep, by: string, reason?: string) => {
    step.status = 'approved';
    step.decision = { outcome: 'approved', by, at: now(), ...(reason ? { reason } : {}) };
    record(by === SYSTEM ? 'containment.auto-approved' : 'containment.approved', by, `Approved "${step.title}"${reason ? `: ${reason}` : ''}`, {
      stepId: step.id,
    });
    await execute(step);
  };

  /**
   * Waits for a decision on a step. Each time its timeout passes: a step pre-approved at the current
   * severity runs; otherwise the next escalation level may decide too and is told. A severity change
   * restarts the wait with that severity's timeout.
   */
  const superviseApproval = async (step: ContainmentStep) => {
    const policy = plans.get(step.id)!.approval;
    if (!policy.required) return approve(step, SYSTEM, 'the runbook runs this step without approval');
    let overdue = false;
    while (step.status === 'pending' && !isResolved()) {
      const severity = state.severity;
      const timeout = policy.timeoutBySeverity[severity] ?? policy.timeout;
      const preApproved = policy.preApprovedAt.includes(severity);
      const canEscalate = step.escalationLevel < policy.escalation.length;
      const waitMs = preApproved || canEscalate || !overdue ? durationMs(timeout) : undefined;
      step.decisionDue = waitMs === undefined ? undefined : new Date(Date.now() + waitMs).toISOString();
      const interrupted = await within(() => step.status !== 'pending' || isResolved() || state.severity !== severity, waitMs);
      if (interrupted) continue;
      if (preApproved) return approve(step, SYSTEM, `pre-approved at ${severity} and no decision within ${timeout}`);
      if (canEscalate) {
        const added = policy.escalation[step.escalationLevel]!;
        step.escalationLevel++;
        step.approvers = [...new Set([...step.approvers, ...added])];
        const who = describeApprovers(added, state.commander, groups);
        record('approval.escalated', SYSTEM, `No decision on "${step.title}" within ${timeout}: escalated to ${who}`, { stepId: step.id });
        await notify(added, `Decision needed: ${step.title}`, `${state.id} (${state.severity}): approve or reject step "${step.id}"; nobody decided within ${timeout}.`);
        continue;
      }
      overdue = true;
      record('approval.overdue', SYSTEM, `No decision on "${step.title}" within ${timeout} and no one left to escalate to; waiting`, { stepId: step.id });
      await notify(step.approvers.map((ref) => (ref === 'ic' ? state.commander : ref)), `Decision overdue: ${step.title}`, `${state.id} (${state.severity}): step "${step.id}" still waits for a decision.`);
    }
  };

  /** Reminds the IC to post a status update at the runbook's cadence for the current severity. */
  const remindStatusUpdates = async () => {
    while (!isResolved()) {
      const severity = state.severity;
      const every = runbook.notifications[severity]?.statusUpdateEvery;
      const interrupted = await within(() => isResolved() || state.severity !== severity, every ? durationMs(every) : undefined);
      if (interrupted) continue;
      await notify([`ic:${state.commander}`], 'Status update due', `${state.id} (${state.severity}) is ${state.status}: post a status update (every ${every}).`);
    }
  };

  /** After resolution, each step that changed something can be reversed, with its own approval. */
  const offerUndos = () => {
    for (const step of [...state.steps]) {
      const plan = plans.get(step.id)!;
      if (step.kind === 'undo' || step.status !== 'verified') continue;
      const { action } = plan;
      let undo: StepAction | undefined;
      if (action.type === 'flag' && plan.previous) {
        undo = { ...action, change: restoring(action.change, plan.previous) };
      } else if (action.type === 'model' && plan.previousVersion) {
        undo = { type: 'model', model: action.model, alias: action.alias, to: plan.previousVersion };
      } else if (action.type === 'http' && action.undo) {
        undo = { type: 'http', request: action.undo };
      }
      if (!undo) continue;
      const undoStep: ContainmentStep = {
        id: `undo-${step.id}`,
        kind: 'undo',
        title: `Undo "${step.title}": ${describeAction(undo)}`,
        description: `Reverses ${step.id} now that the incident is resolved.`,
        target: describeAction(undo),
        approvers: [...plan.approval.approvers],
        escalationLevel: 0,
        decisionDue: new Date(Date.now() + durationMs(UNDO_WINDOW)).toISOString(),
        status: 'pending',
        undoes: step.id,
      };
      plans.set(undoStep.id, { action: undo, approval: plan.approval });
      state.steps.push(undoStep);
      record('undo.proposed', SYSTEM, `Offered: ${undoStep.title} (needs approval within ${UNDO_WINDOW})`, { stepId: undoStep.id });
    }
  };

  const pendingUndos = () => state.steps.filter((s) => s.kind === 'undo' && s.status === 'pending');

  /** Undo offers stay open for UNDO_WINDOW; then whatever is still pending expires. */
  const expireUndos = async () => {
    if (!pendingUndos().length || (await condition(() => pendingUndos().length === 0, durationMs(UNDO_WINDOW)))) return;
    for (const step of pendingUndos()) {
      step.status = 'expired';
      step.decisionDue = undefined;
      record('undo.expired', SYSTEM, `Nobody decided "${step.title}" within ${UNDO_WINDOW}; the containment stays in place`, { stepId: step.id });
    }
  };

  /** The draft follows the incident (actions added, closed) until the IC completes it. */
  const refreshPostmortem = () => {
    if (state.postmortem && !state.postmortem.completedAt) state.postmortem.markdown = renderPostmortem(state);
  };

  const writePostmortemDraft = () => {
    const required = runbook.postmortem.requiredAt.includes(state.severity);
    state.status = 'postmortem';
    state.postmortem = { required, draftedAt: now(), markdown: '' };
    record('postmortem.drafted', SYSTEM, `Postmortem draft written${required ? `; required at ${state.severity}, so the IC completes it before the incident closes` : ''}`);
    refreshPostmortem();
    publish();
  };

  const openActions = () => state.actions.filter((a) => a.status === 'open');

  /**
   * postmortem → closed: every corrective action ended, and the postmortem completed where the runbook
   * requires one; where it does not, the IC completes it or POSTMORTEM_GRACE passes (time to add actions).
   */
  const closeWhenActionsEnd = async () => {
    const postmortem = state.postmortem!;
    const completed = () => postmortem.completedAt !== undefined;
    if (postmortem.required) await condition(completed);
    else await condition(completed, durationMs(POSTMORTEM_GRACE));
    await condition(() => openActions().length === 0);
    state.status = 'closed';
    state.closedAt = now();
    const ended = state.actions.length ? `; ${state.actions.filter((a) => a.status === 'closed').length} action(s) closed, ${state.actions.filter((a) => a.status === 'waived').length} waived` : '';
    record('status.closed', SYSTEM, `Closed${ended}`);
    publish();
    if (input.alertGroup) {
      // Best effort: an intake that already ended has nothing to be told.
      await getExternalWorkflowHandle(input.alertGroup)
        .signal(incidentClosedSignal, { incidentId: state.id })
        .catch(() => undefined);
    }
    await onRecord('attach the postmortem and close it', async (ticket) => {
      await activities.commentOnTicket({ ticket, marker: `${state.id}/postmortem`, text: state.postmortem?.markdown ?? '' });
      await activities.closeIncidentRecord(ticket);
      record('record.closed', SYSTEM, `Postmortem attached to the incident record ${ticket.key}, which is closed`);
    });
    await notify([`ic:${state.commander}`], `Incident closed: ${state.title}`, `${state.id} is closed${ended}.`);
  };

  const findAction = (actionId: unknown): CorrectiveAction => {
    const id = requireText(actionId, 'actionId');
    const action = state.actions.find((a) => a.id === id);
    if (!action) refuse(FailureType.notFound, `${state.id} has no corrective action "${id}" (actions: ${state.actions.map((a) => a.id).join(', ') || 'none'})`);
    return action;
  };

  const lostTrack = (action: CorrectiveAction, err: unknown) => {
    untracked.add(action.id);
    record('action.failed', SYSTEM, `${action.id} is no longer tracked (${failureMessage(err)}); the IC may waive it`, { actionId: action.id });
  };

  const startAction = (action: CorrectiveAction) => {
    const started = startChild(correctiveActionWorkflow, {
      workflowId: `${state.id}-${action.id}`,
      args: [{ incidentId: state.id, incidentTitle: state.title, severity: state.severity, commander: state.commander, action: { ...action }, reminders: { ...DEFAULT_REMINDER_POLICY, ...runbook.postmortem?.actionReminders } }],
      // An action outlives an incident workflow that an operator terminates: it keeps reminding until it ends.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    }).then(
      (handle) => {
        void handle.result().then((final) => void Object.assign(action, final), (err) => lostTrack(action, err));
        return handle;
      },
      (err) => {
        lostTrack(action, err);
        return undefined;
      },
    );
    actionHandles.set(action.id, started);
    return started;
  };

  /** A waiver of an action whose child workflow is gone is recorded here, where the IC made it. */
  const waiveUntracked = (action: CorrectiveAction, by: string, reason: string) => {
    Object.assign(action, { status: 'waived', endedAt: now(), endedBy: by, waiverReason: reason });
    record('action.waived', by, `${action.id} waived: ${reason}`, { actionId: action.id });
    refreshPostmortem();
  };

  setHandler(getStateQuery, () => state);

  let ready = false;
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
        if (!ready) {
          await condition(() => ready);
          validate(...args);
        }
        return handle(...args);
      },
      { validator: (...args: Args) => (ready ? validate(...args) : undefined) },
    );
  };

  handleOnceReady(
    approveStepUpdate,
    (decision) => validateDecision(decision, 'approve'),
    async (decision) => {
      const step = findStep(decision.stepId);
      acknowledgedBy(decision.actor);
      await approve(step, decision.actor.trim(), decision.reason?.trim() || undefined);
      return step;
    },
  );

  handleOnceReady(
    rejectStepUpdate,
    (decision) => validateDecision(decision, 'reject'),
    (decision) => {
      const step = findStep(decision.stepId);
      acknowledgedBy(decision.actor);
      step.status = 'rejected';
      step.decisionDue = undefined;
      const reason = decision.reason?.trim() ?? '';
      step.decision = { outcome: 'rejected', by: decision.actor.trim(), at: now(), reason };
      record('containment.rejected', step.decision.by, `Rejected "${step.title}": ${reason}`, { stepId: step.id });
      return step;
    },
  );

  /** The incident is resolved: by the IC, or by the runbook's auto-resolve once its alerts have been quiet long enough. */
  const resolveNow = (actor: string, summary: string) => {
    acknowledgedBy(actor);
    state.status = 'resolved';
    state.resolvedAt = now();
    state.summary = summary.trim();
    for (const step of state.steps) {
      if (step.status !== 'pending') continue;
      step.status = 'expired';
      step.decisionDue = undefined;
      record('containment.expired', SYSTEM, `"${step.title}" was never decided`, { stepId: step.id });
    }
    record('status.resolved', actor.trim(), `Resolved: ${state.summary}`);
    followPage('resolve');
    const resolution = `Resolved by ${actor.trim()} at ${state.resolvedAt}: ${state.summary}`;
    void onRecord('note the resolution', (ticket) => activities.commentOnTicket({ ticket, marker: `${state.id}/resolved`, text: resolution }));
    offerUndos();
    publish();
  };

  /** Alert-raised incidents whose runbook says so resolve themselves once every alert stayed resolved for `quietFor`. */
  const autoResolveWhenQuiet = async (quietFor: string) => {
    const quiet = () => state.alerts !== undefined && allResolved(state.alerts);
    while (!isResolved()) {
      await condition(() => isResolved() || quiet());
      if (isResolved()) return;
      const refired = await condition(() => isResolved() || !quiet(), durationMs(quietFor));
      if (!refired) resolveNow(SYSTEM, `Every alert resolved and quiet for ${quietFor}: resolved by the runbook's autoResolve`);
    }
  };

  /** Alerts of its group: new ones and changes go on the timeline, repeats are counted; all resolved, the IC hears. */
  const takeAlerts = (alerts: AlertSummary[]) => {
    state.alerts ??= { received: 0, byFingerprint: {} };
    for (const event of tallyAlerts(state.alerts, alerts, now())) {
      record(event.type, SYSTEM, event.message, event.fingerprint ? { fingerprint: event.fingerprint } : undefined);
      if (event.type === 'alerts.all-resolved') void notify([`ic:${state.commander}`], `Alerts resolved: ${state.title}`, `${state.id}: ${event.message}.`);
    }
  };
  setHandler(alertsSignal, ({ alerts }) => takeAlerts(alerts));

  setHandler(approvalRefusedSignal, (refusal) => {
    record('approval.refused', String(refusal.actor), `Refused: ${refusal.reason}`, { stepId: refusal.stepId });
  });

  handleOnceReady(
    completeTriageUpdate,
    ({ itemId, actor }) => {
      requireText(actor, 'actor');
      requireOpen();
      const item = state.triage.find((t) => t.id === itemId);
      if (!item) refuse(FailureType.notFound, `${state.id} has no triage item "${itemId}" (items: ${state.triage.map((t) => t.id).join(', ') || 'none'})`);
      if (item.done) refuse(FailureType.conflict, `Triage item "${itemId}" was done by ${item.done.by} at ${item.done.at}`);
    },
    ({ itemId, actor, note }) => {
      const item = state.triage.find((t) => t.id === itemId)!;
      acknowledgedBy(actor);
      item.done = { by: actor.trim(), at: now(), ...(note?.trim() ? { note: note.trim() } : {}) };
      record('triage.done', item.done.by, `Triage: ${item.title}${item.done.note ? ` (${item.done.note})` : ''}`, { itemId });
      return state;
    },
  );

  handleOnceReady(
    setSeverityUpdate,
    ({ actor, severity }) => {
      requireText(actor, 'actor');
      requireOpen();
      if (!SEVERITIES.includes(severity as Severity)) refuse(FailureType.invalid, `severity must be one of ${SEVERITIES.join(', ')}`);
      if (severity === state.severity) refuse(FailureType.conflict, `${state.id} is already ${severity}`);
    },
    async ({ actor, severity }) => {
      const from = state.severity;
      acknowledgedBy(actor);
      state.severity = severity;
      state.mitigationTarget = runbook.mitigationTargets[severity];
      record('severity.changed', actor.trim(), `Severity ${from} → ${severity}`);
      publish();
      await Promise.all([notifyStakeholders(`Severity ${from} → ${severity}`), pageOnCall(`severity ${from} → ${severity}`)]);
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
      record('commander.assigned', actor.trim(), `Incident commander ${from} → ${state.commander}`);
      publish();
      for (const action of state.actions) {
        if (action.status !== 'open') continue;
        void actionHandles.get(action.id)?.then((handle) => handle?.signal(commanderChangedSignal, { commander: state.commander })).catch(() => undefined);
      }
      return state;
    },
  );

  handleOnceReady(
    resolveUpdate,
    ({ actor, summary }) => {
      const who = requireText(actor, 'actor');
      requireText(summary, 'summary');
      requireOpen();
      requireCommander(who, `resolve ${state.id}`);
    },
    ({ actor, summary }) => {
      resolveNow(actor, summary);
      return state;
    },
  );

  handleOnceReady(
    acknowledgeUpdate,
    ({ actor }) => {
      const who = requireText(actor, 'actor');
      requireOpen();
      requireCommander(who, `acknowledge ${state.id}`);
      if (state.acknowledgedAt) refuse(FailureType.conflict, `${state.id} was acknowledged at ${state.acknowledgedAt}`);
    },
    ({ actor }) => {
      acknowledgedBy(actor);
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
      const days = runbook.postmortem.actionDueDays[state.severity];
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
      record('action.added', action.addedBy, `${action.id} (${action.kind}) "${action.title}" for ${action.owner}, due ${action.dueAt}`, { actionId: action.id });
      refreshPostmortem();
      await startAction(action);
      return action;
    },
  );

  handleOnceReady(
    waiveActionUpdate,
    ({ actor, actionId, reason }) => {
      const who = requireText(actor, 'actor');
      const action = findAction(actionId);
      requireCommander(who, `waive ${action.id}`);
      requireText(reason, 'reason');
      if (action.status !== 'open') refuse(FailureType.conflict, `${action.id} is already ${action.status}`);
    },
    async ({ actor, actionId, reason }) => {
      const action = findAction(actionId);
      const [by, why] = [actor.trim(), reason.trim()];
      const handle = await actionHandles.get(action.id);
      if (handle && !untracked.has(action.id)) {
        await handle.signal(waiveSignal, { by, reason: why }).catch((err: unknown) => lostTrack(action, err));
        // It may have closed just before: then it stays closed, and that is the answer.
        await condition(() => action.status !== 'open' || untracked.has(action.id));
      }
      if (action.status === 'open') waiveUntracked(action, by, why);
      return action;
    },
  );

  setHandler(actionChangedSignal, ({ action: changed, event }) => {
    const action = state.actions.find((a) => a.id === changed.id);
    if (!action) return;
    Object.assign(action, changed);
    state.timeline.push(event);
    refreshPostmortem();
  });

  handleOnceReady(
    completePostmortemUpdate,
    ({ actor }) => {
      const who = requireText(actor, 'actor');
      requireCommander(who, `complete the postmortem of ${state.id}`);
      if (!state.postmortem) refuse(FailureType.conflict, `${state.id} has no postmortem yet: the draft is written when the incident is resolved`);
      const done = state.postmortem.completedAt;
      if (done) refuse(FailureType.conflict, `The postmortem was completed by ${state.postmortem.completedBy} at ${done}`);
    },
    async ({ actor }) => {
      refreshPostmortem();
      Object.assign(state.postmortem!, { completedAt: now(), completedBy: actor.trim() });
      const open = openActions().length;
      record('postmortem.completed', actor.trim(), `Postmortem completed${open ? `; the incident closes when its ${open} open action(s) end` : ''}`);
      // With nothing left open the incident closes now: answer with it closed.
      await condition(() => state.status === 'closed' || openActions().length > 0);
      return state;
    },
  );

  const snapshot = await activities.loadRunbook({ runbookId: input.runbookId, category: input.category });
  runbook = snapshot.runbook;
  groups = snapshot.groups;
  state.runbook = { id: runbook.id, title: runbook.title, file: snapshot.file, hash: snapshot.hash };
  state.mitigationTarget = runbook.mitigationTargets[state.severity];
  state.triage = runbook.triage.map((item) => ({ ...item }));
  for (const spec of runbook.containment) {
    const action = actionFor(spec);
    plans.set(spec.id, { action, approval: spec.approval });
    state.steps.push({
      id: spec.id,
      kind: spec.kind,
      title: spec.title,
      description: spec.description,
      target: describeAction(action),
      approvers: [...spec.approval.approvers],
      escalationLevel: 0,
      status: 'pending',
    });
  }

  record('declared', state.declaredBy, `Declared ${state.severity} ${state.category}: ${state.title}`);
  if (input.repeatOf) record('repeat', SYSTEM, `Repeat of ${input.repeatOf}: the same alert group fired again after it closed`, { repeatOf: input.repeatOf });
  if (input.alerts?.length) takeAlerts(input.alerts);
  record('runbook.selected', SYSTEM, `Runbook "${runbook.title}" (${snapshot.file}, sha256 ${snapshot.hash.slice(0, 12)})`, {
    runbookId: runbook.id,
    hash: snapshot.hash,
  });
  for (const warning of snapshot.warnings) record('runbook.warning', SYSTEM, warning);
  for (const warning of input.warnings ?? []) record('runbook.warning', SYSTEM, warning);
  record('commander.assigned', SYSTEM, `Incident commander: ${state.commander}`);
  state.status = 'triaging';
  for (const step of state.steps) {
    const policy = plans.get(step.id)!.approval;
    const approval = policy.required ? `needs approval by ${describeApprovers(step.approvers, state.commander, groups)}` : 'runs without approval';
    record('containment.proposed', SYSTEM, `Proposed "${step.id}": ${step.title} (${approval})`, { stepId: step.id });
  }
  publish();
  ready = true;
  openRecord();
  const channelFollowed = patched('incident-channel')
    ? followInChannel({
        state,
        responders: runbook.responders,
        groups,
        needsDecision: (step) => step.kind === 'undo' || plans.get(step.id)?.approval.required !== false,
        describeApprovers: (step) => describeApprovers(step.approvers, state.commander, groups),
        record,
        opened: (channel) => {
          if (!patched('channel-on-record')) return;
          const where = `Slack channel #${channel.name}${channel.url ? `: ${channel.url}` : ''}`;
          void onRecord('link the Slack channel', (ticket) => activities.commentOnTicket({ ticket, marker: `${state.id}/channel`, text: where }));
        },
      })
    : Promise.resolve();


  void notifyStakeholders('Incident declared');
  void pageOnCall('declared');
  for (const step of state.steps) void superviseApproval(step);
  void remindStatusUpdates();
  if (runbook.autoResolve && input.alerts?.length && patched('alert-auto-resolve')) void autoResolveWhenQuiet(runbook.autoResolve.quietFor);

  await condition(isResolved);
  writePostmortemDraft();
  await Promise.all([closeWhenActionsEnd(), expireUndos()]);
  await condition(() => allHandlersFinished() && !state.steps.some((s) => s.status === 'approved' || s.status === 'executing'));
  await channelFollowed;
  return state;
}

/** A date alone means the end of that day (UTC): "due 2026-12-24" is met by a close that evening. */
function parseDue(value: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T23:59:59.999Z`) : Date.parse(value);
}
