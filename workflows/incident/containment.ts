// Containment, step by step: planned from the runbook, approved (by a person, or pre-approved when
// nobody decides in time), executed, and verified by reading the state back (undos.ts offers reversals).
import { deprecatePatch } from '@temporalio/workflow';
import { changeTookEffect } from '../../integrations/flags/expectations.js';
import { durationMs, formatDuration } from '../../runbooks/duration.js';
import { SYSTEM } from '../constants.js';
import { failureMessage } from '../failures.js';
import type { ContainmentStep } from '../types.js';
import { describeApprovers, mayDecide } from './approvers.js';
import { Evidence, EVIDENCE_PATCH } from './evidence.js';
import type { Incident } from './incident.js';
import { now, type ActorRef } from './requests.js';
import { actionFor, describeAction } from './step-actions.js';
import { within } from './within.js';

export class Containment {
  readonly evidence: Evidence;

  constructor(private readonly incident: Incident) {
    this.evidence = new Evidence(incident);
  }

  /** The runbook's steps, each pending until decided. */
  plan() {
    const { state, plans, runbook } = this.incident;
    for (const spec of runbook.containment) {
      const action = actionFor(spec);
      plans.set(spec.id, {
        action,
        approval: spec.approval,
        ...(spec.preserveEvidence ? { preserveEvidence: spec.preserveEvidence } : {}),
      });
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
  }

  needsDecision = (step: ContainmentStep) =>
    step.kind === 'undo' || this.incident.plans.get(step.id)?.approval.required !== false;

  describeApprovers = (step: ContainmentStep) =>
    describeApprovers(step.approvers, this.incident.state.commander, this.incident.groups);

  async approve(step: ContainmentStep, by: ActorRef, reason?: string) {
    step.status = 'approved';
    step.decision = {
      outcome: 'approved',
      by: by.actor,
      ...(by.via ? { via: by.via } : {}),
      at: now(),
      ...(reason ? { reason } : {}),
    };
    this.incident.record(
      by.actor === SYSTEM ? 'containment.auto-approved' : 'containment.approved',
      by,
      `Approved "${step.title}"${reason ? `: ${reason}` : ''}`,
      {
        stepId: step.id,
      },
    );
    if (step.kind !== 'undo') {
      deprecatePatch(EVIDENCE_PATCH);
      if (!(await this.evidence.beforeChange(step))) {
        // Not awaited: the approval is answered now; the step runs once the IC overrides.
        void this.runOnceOverridden(step);
        return;
      }
    }
    await this.execute(step);
  }

  /** A step held for its evidence runs once the IC overrides; resolved before that, it never runs. */
  async runOnceOverridden(step: ContainmentStep) {
    if (await this.evidence.awaitOverride(step)) return this.execute(step);
    step.status = 'failed';
    step.result = `Never ran: its evidence was not captured and the IC did not override before resolution`;
    this.incident.record('containment.failed', SYSTEM, `Step "${step.id}": ${step.result}`, { stepId: step.id });
  }

  reject(step: ContainmentStep, by: ActorRef, reason: string) {
    step.status = 'rejected';
    step.decisionDue = undefined;
    step.decision = { outcome: 'rejected', by: by.actor, ...(by.via ? { via: by.via } : {}), at: now(), reason };
    this.incident.record('containment.rejected', by, `Rejected "${step.title}": ${reason}`, { stepId: step.id });
  }

  /**
   * A severity set by the runbook (its default or a severity rule) triggers every step's pre-approval
   * at that severity; one set by a person or an alert label triggers only the pre-approvals of steps
   * that person may approve. The rest wait for a decision, and the timeline says so.
   */
  vouchForSeverity(setBy: 'runbook' | { actor: string; memberOf: string[] } | 'alert') {
    const { incident } = this;
    const { state, plans, vouched } = incident;
    vouched.clear();
    for (const step of state.steps) {
      if (
        setBy === 'runbook' ||
        (setBy !== 'alert' && mayDecide(setBy.actor, step.approvers, state.commander, incident.groups, setBy.memberOf))
      )
        vouched.add(step.id);
    }
    const byWhom = setBy === 'runbook' ? 'the runbook' : setBy === 'alert' ? "an alert's severity label" : setBy.actor;
    for (const step of state.steps) {
      if (step.status !== 'pending' || !plans.get(step.id)?.approval.preApprovedAt.includes(state.severity)) continue;
      if (vouched.has(step.id)) continue;
      incident.record(
        'approval.pre-approval-withheld',
        SYSTEM,
        `"${step.title}" is pre-approved at ${state.severity}, but ${byWhom} set ${state.severity} and may not approve it: it waits for a decision`,
        { stepId: step.id, severity: state.severity },
      );
    }
  }

  /** Pending steps the current severity will run unattended when their timeout passes. */
  armedByRaise = () =>
    this.incident.state.steps.filter(
      (s) =>
        s.status === 'pending' &&
        this.incident.vouched.has(s.id) &&
        this.incident.plans.get(s.id)?.approval.preApprovedAt.includes(this.incident.state.severity),
    );

  /**
   * Waits for a decision on a step. Each time its timeout passes: a step pre-approved at the current
   * severity runs; otherwise the next escalation level may decide too and is told. A severity change
   * restarts the wait with that severity's timeout. A step carried into a new run (`resumed`) waits
   * until the decisionDue it had; a due time with no wait left means it is overdue.
   */
  async supervise(step: ContainmentStep, resumed = false) {
    const { incident } = this;
    const { state, groups } = incident;
    const policy = incident.plans.get(step.id)!.approval;
    if (!policy.required) return this.approve(step, { actor: SYSTEM }, 'the runbook runs this step without approval');
    // What the approval request shows: the evidence as it is when the decision is asked for.
    if (!resumed) {
      deprecatePatch(EVIDENCE_PATCH);
      await this.evidence.capture(step, 'requested');
    }
    let overdue = resumed && step.decisionDue === undefined;
    let resumeAt = resumed ? step.decisionDue : undefined;
    while (step.status === 'pending' && !incident.isResolved()) {
      const severity = state.severity;
      const timeout = policy.timeoutBySeverity[severity] ?? policy.timeout;
      const preApproved = policy.preApprovedAt.includes(severity) && incident.vouched.has(step.id);
      const canEscalate = step.escalationLevel < policy.escalation.length;
      let waitMs = preApproved || canEscalate || !overdue ? durationMs(timeout) : undefined;
      if (resumeAt !== undefined && waitMs !== undefined) waitMs = Math.max(1, Date.parse(resumeAt) - Date.now());
      resumeAt = undefined;
      step.decisionDue = waitMs === undefined ? undefined : new Date(Date.now() + waitMs).toISOString();
      const interrupted = await within(
        () => step.status !== 'pending' || incident.isResolved() || state.severity !== severity,
        waitMs,
      );
      if (interrupted) continue;
      if (preApproved)
        return this.approve(step, { actor: SYSTEM }, `pre-approved at ${severity} and no decision within ${timeout}`);
      if (canEscalate) {
        const added = policy.escalation[step.escalationLevel]!;
        step.escalationLevel++;
        step.approvers = [...new Set([...step.approvers, ...added])];
        const who = describeApprovers(added, state.commander, groups);
        incident.record(
          'approval.escalated',
          SYSTEM,
          `No decision on "${step.title}" within ${timeout}: escalated to ${who}`,
          { stepId: step.id },
        );
        await incident.notify(
          added,
          `Decision needed: ${step.title}`,
          `${state.id} (${state.severity}): approve or reject step "${step.id}"; nobody decided within ${timeout}.`,
        );
        continue;
      }
      overdue = true;
      incident.record(
        'approval.overdue',
        SYSTEM,
        `No decision on "${step.title}" within ${timeout} and no one left to escalate to; waiting`,
        { stepId: step.id },
      );
      await incident.notify(
        step.approvers.map((ref) => (ref === 'ic' ? state.commander : ref)),
        `Decision overdue: ${step.title}`,
        `${state.id} (${state.severity}): step "${step.id}" still waits for a decision.`,
      );
    }
  }

  /** Runs an approved step, then reads the state back; a failure is shown to the IC, never hidden. */
  private async execute(step: ContainmentStep) {
    const { incident } = this;
    const { state } = incident;
    const plan = incident.plans.get(step.id)!;
    const action = plan.action;
    step.status = 'executing';
    step.decisionDue = undefined;
    plan.commanderWhenRan ??= state.commander;
    let movedTo: string | undefined;
    try {
      if (action.type === 'flag') {
        const change = await incident.activities.applyFlagChange({
          flagKey: action.flagKey,
          change: action.change,
          idempotencyKey: `${state.id}/${step.id}`,
          comment: `${state.id}: ${step.title} (approved by ${step.decision?.by})`,
        });
        plan.previous ??= change.previous;
        incident.record('containment.executed', SYSTEM, change.summary, { stepId: step.id, changed: change.changed });
      } else if (action.type === 'model') {
        const moved = await incident.activities.moveModelAlias({
          model: action.model,
          alias: action.alias,
          to: action.to,
          idempotencyKey: `${state.id}/${step.id}`,
          comment: `${state.id}: ${step.title} (approved by ${step.decision?.by})`,
        });
        plan.previousVersion ??= moved.previous;
        movedTo = moved.current;
        incident.record('containment.executed', SYSTEM, moved.summary, { stepId: step.id, changed: moved.changed });
      } else {
        const outcome = await incident.activities.httpAction({ request: action.request });
        incident.record('containment.executed', SYSTEM, `${describeAction(action)} answered ${outcome.status}`, {
          stepId: step.id,
        });
      }
    } catch (err) {
      return this.failed(step, 'containment.failed', `Execution failed: ${failureMessage(err)}`);
    }

    // Read back what the step changed, in this same function: no extra await between a read-back
    // and what follows it, so the commands keep the order stored histories have.
    const verificationFailed = (seen: string) =>
      this.failed(step, 'containment.verification-failed', `Verification failed: ${seen}`);
    try {
      if (action.type === 'flag') {
        const observed = await incident.activities.readFlag({
          flagKey: action.flagKey,
          expect: action.change,
          ...(action.context ? { context: action.context } : {}),
        });
        const via = observed.observedVia ? ` (observed through ${observed.observedVia})` : '';
        const seen = `flag ${action.flagKey} is ${observed.on ? 'on' : 'off'} and serves ${JSON.stringify(observed.value)}${via}`;
        if (!changeTookEffect(action.change, observed)) return verificationFailed(seen);
        step.result = `Verified: ${seen}`;
      } else if (action.type === 'model') {
        const observed = await incident.activities.readModelAlias({ model: action.model, alias: action.alias });
        const seen = `model ${action.model} "${action.alias}" serves version ${observed.version} (observed through ${observed.observedVia})`;
        if (observed.version !== movedTo) return verificationFailed(`${seen}, expected version ${movedTo}`);
        step.result = `Verified: ${seen}`;
      } else if (action.verify) {
        const check = await incident.activities.httpCheck(action.verify);
        const seen = `${action.verify.request.method} ${action.verify.request.url.split('?')[0]} answered ${check.status}`;
        const expected = `${action.verify.expectStatus}${action.verify.expectBodyIncludes ? ` with "${action.verify.expectBodyIncludes}"` : ''}`;
        if (!check.ok) return verificationFailed(`${seen}, expected ${expected}`);
        step.result = `Verified: ${seen}`;
      } else {
        step.result = 'Executed; the runbook defines no verification for this step';
      }
    } catch (err) {
      return verificationFailed(`read-back failed: ${failureMessage(err)}`);
    }
    step.status = 'verified';
    incident.record('containment.verified', SYSTEM, step.result, { stepId: step.id });
    if (step.kind !== 'undo') this.markMitigated(step);
  }

  /** A step that did not take effect is the IC's problem right now: recorded, and the IC is told. */
  private async failed(
    step: ContainmentStep,
    type: 'containment.failed' | 'containment.verification-failed',
    result: string,
  ) {
    const { state } = this.incident;
    step.status = 'failed';
    step.result = result;
    this.incident.record(type, SYSTEM, `Step "${step.id}": ${result}`, { stepId: step.id });
    await this.incident.notify(
      [`ic:${state.commander}`],
      `Containment step failed: ${step.title}`,
      `${state.id}: ${result}`,
    );
  }

  private markMitigated(step: ContainmentStep) {
    const { incident } = this;
    const { state } = incident;
    if (state.status !== 'triaging') return;
    state.status = 'mitigated';
    state.mitigatedAt = now();
    const took = Date.parse(state.mitigatedAt) - Date.parse(state.declaredAt);
    const target = state.mitigationTarget;
    const verdict = target
      ? took <= durationMs(target)
        ? `within the ${target} target`
        : `missed the ${target} target`
      : 'no target set';
    incident.record(
      'status.mitigated',
      SYSTEM,
      `Mitigated by "${step.title}" ${formatDuration(took)} after declaration (${verdict})`,
      {
        timeToMitigateMs: took,
        ...(target ? { target, breached: took > durationMs(target) } : {}),
      },
    );
    incident.publish();
  }

  /** Steps never decided before resolution expire. */
  expirePending() {
    for (const step of this.incident.state.steps) {
      if (step.status !== 'pending') continue;
      step.status = 'expired';
      step.decisionDue = undefined;
      this.incident.record('containment.expired', SYSTEM, `"${step.title}" was never decided`, { stepId: step.id });
    }
  }

  /** Nothing approved is left half-done when the workflow returns. */
  settled = () => !this.incident.state.steps.some((s) => s.status === 'approved' || s.status === 'executing');
}
