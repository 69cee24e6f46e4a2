// What chat shows of an incident, computed from its state. Pure: used inside the workflow (which keeps
// the channel current) and by the Slack app (which answers `/incident status`).
import type { ApprovalView, StatusView, StepView } from '../../integrations/chat/provider.js';
import type { ContainmentStep, IncidentState } from '../types.js';
import { describeEvidence, latestEvidence } from './evidence-summary.js';

export function stepView(step: ContainmentStep): StepView {
  return {
    id: step.id,
    title: step.title,
    target: step.target,
    status: step.status,
    ...(step.decision ? { decision: step.decision } : {}),
    ...(step.result ? { result: step.result } : {}),
  };
}

/** `awaitingDecision`: the steps that wait for a person, not for their turn to run. */
export function statusView(state: IncidentState, awaitingDecision: number): StatusView {
  return {
    incidentId: state.id,
    title: state.title,
    severity: state.severity,
    status: state.status,
    commander: state.commander,
    ...(state.runbook ? { runbook: state.runbook.title } : {}),
    steps: state.steps.map(stepView),
    pendingApprovals: awaitingDecision,
    ...(state.summary ? { summary: state.summary } : {}),
    // Only once there are obligations: what the channel shows of an incident without them is unchanged.
    ...(state.obligations?.length
      ? {
          obligations: state.obligations.map((o) => ({
            id: o.id,
            regime: o.regime,
            dueAt: o.dueAt,
            status: o.status,
            ...(o.onTime !== undefined ? { onTime: o.onTime } : {}),
          })),
        }
      : {}),
    ...updatesView(state),
  };
}

/**
 * The latest status update and the next one due. Only for incidents whose cadence follows updates
 * (state.updateCadence): the status message of an incident recorded before stays as it was.
 */
function updatesView(state: IncidentState): Pick<StatusView, 'latestUpdate' | 'nextUpdateDue'> {
  if (!state.updateCadence && !state.updates?.length) return {};
  const latest = state.updates?.at(-1);
  return {
    ...(latest
      ? {
          latestUpdate: {
            id: latest.id,
            at: latest.at,
            by: latest.by,
            text: latest.text,
            ...(latest.impact ? { impact: latest.impact } : {}),
          },
        }
      : {}),
    ...(state.statusUpdateDue ? { nextUpdateDue: state.statusUpdateDue } : {}),
  };
}

export function approvalView(state: IncidentState, step: ContainmentStep, approvers: string): ApprovalView {
  const evidence = latestEvidence(state, step.id);
  return {
    incidentId: state.id,
    severity: state.severity,
    step: { ...stepView(step), description: step.description },
    approvers,
    ...(evidence ? { evidence: describeEvidence(evidence) } : {}),
  };
}
