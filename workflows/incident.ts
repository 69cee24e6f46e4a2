import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { IncidentActivities } from '../activities/index.js';
import { FailureType } from './failures.js';
import {
  approvalRefusedSignal,
  approveStepUpdate,
  assignCommanderUpdate,
  getStateQuery,
  rejectStepUpdate,
  resolveUpdate,
  setSeverityUpdate,
} from './messages.js';
import type { ContainmentStep, DeclareInput, IncidentState, StepDecisionInput } from './model.js';
import { SEVERITIES } from './model.js';
import { IncidentCategory, IncidentCommander, IncidentSeverity, IncidentStatus } from './search-attributes.js';

const flags = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
});

const SYSTEM = 'system';

function refuse(type: FailureType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') refuse(FailureType.invalid, `${field} is required`);
  return value.trim();
}

/** One workflow per incident; its workflow id is the incident id. */
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
    steps: [],
    timeline: [],
  };

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

  const requireCommander = (actor: string, action: string) => {
    if (actor !== state.commander) {
      refuse(FailureType.notAuthorized, `${actor} may not ${action}: only the incident commander (${state.commander}) may`);
    }
  };

  const validateDecision = (decision: StepDecisionInput, verb: 'approve' | 'reject') => {
    const actor = requireText(decision?.actor, 'actor');
    requireOpen();
    const step = findStep(decision.stepId);
    if (step.status !== 'pending') {
      const by = step.decision ? ` (${step.decision.outcome} by ${step.decision.by} at ${step.decision.at})` : '';
      refuse(FailureType.conflict, `Step "${step.id}" is ${step.status}, not pending${by}`);
    }
    if (actor !== state.commander && !step.approvers.includes(actor)) {
      const allowed = [`the incident commander (${state.commander})`, ...step.approvers].join(', ');
      refuse(FailureType.notAuthorized, `${actor} may not ${verb} step "${step.id}": allowed are ${allowed}`);
    }
    if (verb === 'reject') requireText(decision.reason, 'reason');
  };

  const contain = async (step: ContainmentStep) => {
    step.status = 'executing';
    const comment = `${state.id}: ${step.title} (approved by ${step.decision?.by})`;
    try {
      const change = await flags.turnFlagOff({
        flagKey: step.flagKey,
        idempotencyKey: `${state.id}/${step.id}`,
        comment,
      });
      record('containment.executed', SYSTEM, change.summary, { stepId: step.id, ...change });
    } catch (err) {
      step.status = 'failed';
      step.result = `Execution failed: ${failureMessage(err)}`;
      record('containment.failed', SYSTEM, `Step "${step.id}" failed: ${failureMessage(err)}`, { stepId: step.id });
      return;
    }
    const observed = await flags.readFlag({ flagKey: step.flagKey }).catch((err: unknown) => ({
      error: failureMessage(err),
    }));
    // Off, and not serving `true`: a flag whose off variation is `true` keeps the feature on.
    if ('error' in observed || observed.on !== false || observed.value === true) {
      step.status = 'failed';
      const seen =
        'error' in observed
          ? `read-back failed: ${observed.error}`
          : `flag ${step.flagKey} is ${observed.on ? 'on' : 'off'} and serves ${JSON.stringify(observed.value)}`;
      step.result = `Verification failed: ${seen}`;
      record('containment.verification-failed', SYSTEM, `Step "${step.id}" not verified: ${seen}`, { stepId: step.id });
      return;
    }
    step.status = 'verified';
    step.result = `Verified: flag ${step.flagKey} is off (serves ${JSON.stringify(observed.value)})`;
    record('containment.verified', SYSTEM, step.result, { stepId: step.id, observed });
    if (state.status === 'triaging') {
      state.status = 'mitigated';
      state.mitigatedAt = now();
      record('status.mitigated', SYSTEM, `Mitigated: ${step.title}`);
      publish();
    }
  };

  // The incident is complete before any handler is registered: an Update buffered since the start
  // (an approval sent a moment after the declaration) runs as soon as its handler is set.
  record('declared', state.declaredBy, `Declared ${state.severity} ${state.category}: ${state.title}`);
  record('commander.assigned', SYSTEM, `Incident commander: ${state.commander}`);
  state.status = 'triaging';
  state.steps.push({
    id: 'kill-switch',
    kind: 'flag-off',
    title: `Turn feature flag ${input.killSwitchFlag} off`,
    flagKey: input.killSwitchFlag,
    approvers: [],
    status: 'pending',
  });
  record('containment.proposed', SYSTEM, `Proposed "kill-switch": turn feature flag ${input.killSwitchFlag} off (needs approval)`, {
    stepId: 'kill-switch',
  });
  publish();

  setHandler(getStateQuery, () => state);

  setHandler(
    approveStepUpdate,
    async (decision) => {
      const step = findStep(decision.stepId);
      step.status = 'approved';
      step.decision = { outcome: 'approved', by: decision.actor.trim(), at: now(), ...(decision.reason ? { reason: decision.reason } : {}) };
      record('containment.approved', step.decision.by, `Approved "${step.title}"`, { stepId: step.id });
      await contain(step);
      return step;
    },
    { validator: (decision) => validateDecision(decision, 'approve') },
  );

  setHandler(
    rejectStepUpdate,
    (decision) => {
      const step = findStep(decision.stepId);
      step.status = 'rejected';
      const reason = decision.reason?.trim() ?? '';
      step.decision = { outcome: 'rejected', by: decision.actor.trim(), at: now(), reason };
      record('containment.rejected', step.decision.by, `Rejected "${step.title}": ${reason}`, { stepId: step.id });
      return step;
    },
    { validator: (decision) => validateDecision(decision, 'reject') },
  );

  setHandler(approvalRefusedSignal, (refusal) => {
    record('approval.refused', String(refusal.actor), `Refused: ${refusal.reason}`, {
      stepId: refusal.stepId,
    });
  });

  setHandler(
    setSeverityUpdate,
    ({ actor, severity }) => {
      const from = state.severity;
      state.severity = severity;
      record('severity.changed', actor.trim(), `Severity ${from} → ${severity}`);
      publish();
      return state;
    },
    {
      validator: ({ actor, severity }) => {
        requireText(actor, 'actor');
        requireOpen();
        if (!SEVERITIES.includes(severity)) refuse(FailureType.invalid, `severity must be one of ${SEVERITIES.join(', ')}`);
        if (severity === state.severity) refuse(FailureType.conflict, `${state.id} is already ${severity}`);
      },
    },
  );

  setHandler(
    assignCommanderUpdate,
    ({ actor, commander }) => {
      const from = state.commander;
      state.commander = commander.trim();
      record('commander.assigned', actor.trim(), `Incident commander ${from} → ${state.commander}`);
      publish();
      return state;
    },
    {
      validator: ({ actor, commander }) => {
        requireText(actor, 'actor');
        requireOpen();
        if (requireText(commander, 'commander') === state.commander) {
          refuse(FailureType.conflict, `${state.commander} is already the incident commander`);
        }
      },
    },
  );

  setHandler(
    resolveUpdate,
    ({ actor, summary }) => {
      state.status = 'resolved';
      state.resolvedAt = now();
      state.summary = summary.trim();
      record('status.resolved', actor.trim(), `Resolved: ${state.summary}`);
      publish();
      return state;
    },
    {
      validator: ({ actor, summary }) => {
        const who = requireText(actor, 'actor');
        requireText(summary, 'summary');
        requireOpen();
        requireCommander(who, `resolve ${state.id}`);
      },
    },
  );


  await condition(() => state.status === 'resolved');
  await condition(allHandlersFinished);
  return state;
}

function failureMessage(err: unknown): string {
  let cause: unknown = err;
  // ActivityFailure wraps the activity's own error; the innermost message is the useful one.
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return cause instanceof Error ? cause.message : String(cause);
}
