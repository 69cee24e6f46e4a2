import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AssignCommanderInput,
  ContainmentStep,
  IncidentState,
  RefusalInput,
  ResolveInput,
  SetSeverityInput,
  StepDecisionInput,
  TriageInput,
} from './model.js';

export const getStateQuery = defineQuery<IncidentState>('state');

export const approveStepUpdate = defineUpdate<ContainmentStep, [StepDecisionInput]>('approve');
export const rejectStepUpdate = defineUpdate<ContainmentStep, [StepDecisionInput]>('reject');
export const resolveUpdate = defineUpdate<IncidentState, [ResolveInput]>('resolve');
export const setSeverityUpdate = defineUpdate<IncidentState, [SetSeverityInput]>('set-severity');
export const completeTriageUpdate = defineUpdate<IncidentState, [TriageInput]>('complete-triage');
export const assignCommanderUpdate = defineUpdate<IncidentState, [AssignCommanderInput]>('assign-commander');

/** A refused decision is rejected before it reaches history; the ingress records it with this signal. */
export const approvalRefusedSignal = defineSignal<[RefusalInput]>('approval-refused');
