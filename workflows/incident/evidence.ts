// Evidence before containment: a snapshot of what a step will change, taken when its approval is
// requested and again right before it runs. A step whose runbook says `preserveEvidence: required` runs
// only with a snapshot, or once the IC overrides (override-evidence).
import { condition } from '@temporalio/workflow';
import type { SnapshotRequest } from '../../integrations/evidence/snapshot.js';
import { SYSTEM } from '../constants.js';
import { failureMessage } from '../failures.js';
import type { ContainmentStep, EvidenceRecord } from '../types.js';
import { describeEvidence, heldForEvidence } from './evidence-summary.js';
import type { Incident } from './incident.js';
import { now, type ActorRef } from './requests.js';
import type { StepAction } from './step-actions.js';

export const EVIDENCE_PATCH = 'evidence-before-containment';

export class Evidence {
  constructor(private readonly incident: Incident) {}

  required = (step: ContainmentStep) => this.incident.plans.get(step.id)?.preserveEvidence === 'required';

  /** Takes a snapshot and records it; a capture that could not run at all is a failed snapshot, never an exception. */
  async capture(step: ContainmentStep, moment: EvidenceRecord['moment']): Promise<EvidenceRecord> {
    const { incident } = this;
    const { state } = incident;
    const plan = incident.plans.get(step.id)!;
    const request: SnapshotRequest = {
      incidentId: state.id,
      stepId: step.id,
      moment,
      target: targetOf(plan.action),
      sources: (incident.runbook.evidence ?? []).map(({ id, title, request }) => ({ id, title, request })),
      triage: state.triage,
    };
    const required = this.required(step);
    let record: EvidenceRecord;
    try {
      const result = await incident.activities.captureEvidence(request);
      record = { stepId: step.id, moment, required, ...result };
    } catch (err) {
      record = {
        stepId: step.id,
        moment,
        required,
        capturedAt: now(),
        status: 'failed',
        items: [],
        reason: failureMessage(err),
      };
    }
    (state.evidence ??= []).push(record);
    incident.record(
      record.status === 'captured' ? 'evidence.captured' : 'evidence.failed',
      SYSTEM,
      `"${step.title}" (${moment === 'requested' ? 'at the approval request' : 'before the change'}): ${describeEvidence(record)}`,
      {
        stepId: step.id,
        moment,
        ...(record.sha256 ? { sha256: record.sha256 } : {}),
        ...(record.location ? { location: record.location } : {}),
      },
    );
    return record;
  }

  /** Right before the change: true when the step may run now; otherwise the IC is told it waits. */
  async beforeChange(step: ContainmentStep): Promise<boolean> {
    const record = await this.capture(step, 'before-change');
    if (record.status === 'captured' || !record.required) return true;
    const { state } = this.incident;
    step.result = `Waiting for evidence: ${describeEvidence(record)} (incident override-evidence ${state.id} ${step.id} --reason "…")`;
    await this.incident.notify(
      [`ic:${state.commander}`],
      `Evidence not captured: ${step.title}`,
      `${state.id}: "${step.title}" is approved but preserves evidence first, and ${record.reason ?? 'the snapshot failed'}. It runs once you override: incident override-evidence ${state.id} ${step.id} --reason "…"`,
    );
    return false;
  }

  /** The snapshot a step waits on (approved, required, failed, not overridden), if it waits. */
  holding(step: ContainmentStep): EvidenceRecord | undefined {
    return heldForEvidence(this.incident.state, step);
  }

  /** Until the IC overrides (true) or the incident is resolved without it (false). */
  async awaitOverride(step: ContainmentStep): Promise<boolean> {
    await condition(() => !this.holding(step) || this.incident.isResolved());
    return !this.holding(step);
  }

  override(step: ContainmentStep, by: ActorRef, reason: string) {
    const record = this.holding(step)!;
    record.status = 'overridden';
    record.override = { by: by.actor, ...(by.via ? { via: by.via } : {}), at: now(), reason };
    step.result = undefined;
    this.incident.record(
      'evidence.overridden',
      by,
      `Evidence for "${step.title}" overridden: ${reason}; it runs without a complete snapshot`,
      { stepId: step.id, ...(record.sha256 ? { sha256: record.sha256 } : {}) },
    );
  }
}

function targetOf(action: StepAction): SnapshotRequest['target'] {
  if (action.type === 'flag') return { type: 'flag', flagKey: action.flagKey };
  if (action.type === 'model') return { type: 'model', model: action.model, alias: action.alias };
  return { type: 'none' };
}
