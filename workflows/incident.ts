import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { IncidentActivities } from '../activities/index.js';
import type { FlagReading } from '../integrations/flags/provider.js';
import { durationMs, formatDuration } from '../runbooks/duration.js';
import type { ApproverGroups, Runbook, RunbookStep } from '../runbooks/schema.js';
import { describeApprovers, mayDecide } from './approvers.js';
import { actionFor, describeAction, type StepAction } from './containment-actions.js';
import { FailureType } from './failures.js';
import { changeTookEffect, restoring } from './flag-expectations.js';
import {
  approvalRefusedSignal,
  approveStepUpdate,
  assignCommanderUpdate,
  completeTriageUpdate,
  getStateQuery,
  rejectStepUpdate,
  resolveUpdate,
  setSeverityUpdate,
} from './messages.js';
import type { ContainmentStep, DeclareInput, IncidentState, Severity, StepDecisionInput } from './model.js';
import { SEVERITIES } from './model.js';
import { IncidentCategory, IncidentCommander, IncidentSeverity, IncidentStatus } from './search-attributes.js';

const activities = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
});

const SYSTEM = 'system';
/** How long the reversal of a containment step stays on offer after resolution. */
const UNDO_WINDOW = '7d';

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
}

/** One workflow per incident; its workflow id is the incident id. It runs the incident's runbook. */
export async function incidentWorkflow(input: DeclareInput): Promise<IncidentState> {
  const now = () => new Date().toISOString();
  const state: IncidentState = {
    id: input.id,
    title: input.title,
    category: input.category,
    severity: input.severity,
    description: input.description,
    status: 'declared',
    commander: input.commander,
    declaredBy: input.declaredBy,
    declaredAt: now(),
    triage: [],
    steps: [],
    notified: [],
    paged: [],
    timeline: [],
  };
  const plans = new Map<string, StepPlan>();
  let runbook!: Runbook;
  let groups: ApproverGroups = {};

  const record = (type: string, actor: string, message: string, data?: Record<string, unknown>) => {
    state.timeline.push({ at: now(), type, actor, message, ...(data ? { data } : {}) });
  };

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
      await activities.page({ incidentId: state.id, targets, severity: state.severity, summary });
      record('page.sent', SYSTEM, `Paged ${targets.join(', ')}: ${reason}`);
    } catch (err) {
      record('page.failed', SYSTEM, `Could not page ${targets.join(', ')}: ${failureMessage(err)}`);
    }
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
    if (state.status === 'resolved') refuse(FailureType.conflict, `${state.id} is already resolved`);
  };

  const validateDecision = (decision: StepDecisionInput, verb: 'approve' | 'reject') => {
    const actor = requireText(decision?.actor, 'actor');
    const step = findStep(decision.stepId);
    if (state.status === 'resolved' && step.kind !== 'undo') refuse(FailureType.conflict, `${state.id} is already resolved`);
    if (step.status !== 'pending') {
      const by = step.decision ? ` (${step.decision.outcome} by ${step.decision.by} at ${step.decision.at})` : '';
      refuse(FailureType.conflict, `Step "${step.id}" is ${step.status}, not pending${by}`);
    }
    if (!mayDecide(actor, step.approvers, state.commander, groups)) {
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
      } else {
        const outcome = await activities.httpAction({ request: action.request });
        record('containment.executed', SYSTEM, `${describeAction(action)} answered ${outcome.status}`, { stepId: step.id });
      }
    } catch (err) {
      return stepFailed(step, 'containment.failed', `Execution failed: ${failureMessage(err)}`);
    }

    try {
      if (action.type === 'flag') {
        const observed = await activities.readFlag({ flagKey: action.flagKey });
        const seen = `flag ${action.flagKey} is ${observed.on ? 'on' : 'off'} and serves ${JSON.stringify(observed.value)}`;
        if (!changeTookEffect(action.change, observed)) return verifyFailed(step, seen);
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
    while (step.status === 'pending' && state.status !== 'resolved') {
      const severity = state.severity;
      const timeout = policy.timeoutBySeverity[severity] ?? policy.timeout;
      const preApproved = policy.preApprovedAt.includes(severity);
      const canEscalate = step.escalationLevel < policy.escalation.length;
      const waitMs = preApproved || canEscalate || !overdue ? durationMs(timeout) : undefined;
      step.decisionDue = waitMs === undefined ? undefined : new Date(Date.now() + waitMs).toISOString();
      const interrupted = await within(() => step.status !== 'pending' || state.status === 'resolved' || state.severity !== severity, waitMs);
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
    while (state.status !== 'resolved') {
      const severity = state.severity;
      const every = runbook.notifications[severity]?.statusUpdateEvery;
      const interrupted = await within(() => state.status === 'resolved' || state.severity !== severity, every ? durationMs(every) : undefined);
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
        undo = { type: 'flag', flagKey: action.flagKey, change: restoring(action.change, plan.previous) };
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
      await approve(step, decision.actor.trim(), decision.reason?.trim() || undefined);
      return step;
    },
  );

  handleOnceReady(
    rejectStepUpdate,
    (decision) => validateDecision(decision, 'reject'),
    (decision) => {
      const step = findStep(decision.stepId);
      step.status = 'rejected';
      step.decisionDue = undefined;
      const reason = decision.reason?.trim() ?? '';
      step.decision = { outcome: 'rejected', by: decision.actor.trim(), at: now(), reason };
      record('containment.rejected', step.decision.by, `Rejected "${step.title}": ${reason}`, { stepId: step.id });
      return step;
    },
  );

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
      requireOpen();
      if (requireText(commander, 'commander') === state.commander) {
        refuse(FailureType.conflict, `${state.commander} is already the incident commander`);
      }
    },
    ({ actor, commander }) => {
      const from = state.commander;
      state.commander = commander.trim();
      record('commander.assigned', actor.trim(), `Incident commander ${from} → ${state.commander}`);
      publish();
      return state;
    },
  );

  handleOnceReady(
    resolveUpdate,
    ({ actor, summary }) => {
      const who = requireText(actor, 'actor');
      requireText(summary, 'summary');
      requireOpen();
      if (who !== state.commander) {
        refuse(FailureType.notAuthorized, `${who} may not resolve ${state.id}: only the incident commander (${state.commander}) may`);
      }
    },
    ({ actor, summary }) => {
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
      offerUndos();
      publish();
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
  record('runbook.selected', SYSTEM, `Runbook "${runbook.title}" (${snapshot.file}, sha256 ${snapshot.hash.slice(0, 12)})`, {
    runbookId: runbook.id,
    hash: snapshot.hash,
  });
  for (const warning of snapshot.warnings) record('runbook.warning', SYSTEM, warning);
  record('commander.assigned', SYSTEM, `Incident commander: ${state.commander}`);
  state.status = 'triaging';
  for (const step of state.steps) {
    const policy = plans.get(step.id)!.approval;
    const approval = policy.required ? `needs approval by ${describeApprovers(step.approvers, state.commander, groups)}` : 'runs without approval';
    record('containment.proposed', SYSTEM, `Proposed "${step.id}": ${step.title} (${approval})`, { stepId: step.id });
  }
  publish();
  ready = true;


  void notifyStakeholders('Incident declared');
  void pageOnCall('declared');
  for (const step of state.steps) void superviseApproval(step);
  void remindStatusUpdates();

  await condition(() => state.status === 'resolved');
  // Undo offers stay open for UNDO_WINDOW; then whatever is still pending expires.
  if (pendingUndos().length && !(await condition(() => pendingUndos().length === 0, durationMs(UNDO_WINDOW)))) {
    for (const step of pendingUndos()) {
      step.status = 'expired';
      step.decisionDue = undefined;
      record('undo.expired', SYSTEM, `Nobody decided "${step.title}" within ${UNDO_WINDOW}; the containment stays in place`, { stepId: step.id });
    }
  }
  await condition(() => allHandlersFinished() && !state.steps.some((s) => s.status === 'approved' || s.status === 'executing'));
  return state;
}

/** True when `fn` became true, false when `ms` passed first; with no `ms`, waits as long as it takes. */
async function within(fn: () => boolean, ms: number | undefined): Promise<boolean> {
  if (ms === undefined) {
    await condition(fn);
    return true;
  }
  return condition(fn, ms);
}

function failureMessage(err: unknown): string {
  let cause: unknown = err;
  // ActivityFailure wraps the activity's own error; the innermost message is the useful one.
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return cause instanceof Error ? cause.message : String(cause);
}
