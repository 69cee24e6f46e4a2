import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AcknowledgeInput,
  AddActionInput,
  AssignCommanderInput,
  CompletePostmortemInput,
  CorrectiveAction,
  ContainmentStep,
  IncidentState,
  RefusalInput,
  ResolveInput,
  SetSeverityInput,
  StepDecisionInput,
  TimelineEntry,
  TriageInput,
  WaiveActionInput,
  AlertSummary,
} from './model.js';

export const getStateQuery = defineQuery<IncidentState>('state');

export const approveStepUpdate = defineUpdate<ContainmentStep, [StepDecisionInput]>('approve');
export const rejectStepUpdate = defineUpdate<ContainmentStep, [StepDecisionInput]>('reject');
export const resolveUpdate = defineUpdate<IncidentState, [ResolveInput]>('resolve');
export const setSeverityUpdate = defineUpdate<IncidentState, [SetSeverityInput]>('set-severity');
export const completeTriageUpdate = defineUpdate<IncidentState, [TriageInput]>('complete-triage');
export const assignCommanderUpdate = defineUpdate<IncidentState, [AssignCommanderInput]>('assign-commander');

/** Alerts of the incident's group, forwarded by its alert intake workflow: counted, firsts and resolutions recorded. */
export const alertsSignal = defineSignal<[{ alerts: AlertSummary[] }]>('alerts');

/** Sent by an incident that an alert group opened, when it closes: the group's next firing opens a new incident. */
export const incidentClosedSignal = defineSignal<[{ incidentId: string }]>('incident-closed');

/** A refused decision is rejected before it reaches history; the ingress records it with this signal. */
export const approvalRefusedSignal = defineSignal<[RefusalInput]>('approval-refused');

// Corrective actions: the incident and each action's child workflow talk through these.
export const acknowledgeUpdate = defineUpdate<IncidentState, [AcknowledgeInput]>('acknowledge');
export const addActionUpdate = defineUpdate<CorrectiveAction, [AddActionInput]>('add-action');
export const waiveActionUpdate = defineUpdate<CorrectiveAction, [WaiveActionInput]>('waive-action');
export const completePostmortemUpdate = defineUpdate<IncidentState, [CompletePostmortemInput]>('complete-postmortem');

export interface TicketClosed {
  by: string;
  /** When the tracker says it closed; the signal's arrival otherwise. */
  closedAt?: string;
}
export interface ActionWaived {
  by: string;
  reason: string;
}
/** What an action tells its incident: its new state and the event to put on the incident's timeline. */
export interface ActionChanged {
  action: CorrectiveAction;
  event: TimelineEntry;
}

export const ticketClosedSignal = defineSignal<[TicketClosed]>('ticket-closed');
export const waiveSignal = defineSignal<[ActionWaived]>('waive');
export const commanderChangedSignal = defineSignal<[{ commander: string }]>('commander-changed');
export const actionChangedSignal = defineSignal<[ActionChanged]>('action-changed');
export const getActionQuery = defineQuery<CorrectiveAction>('action');

// Reminder digests: one workflow per person batches the reminders of all their actions into one message a day.
export interface ReminderItem {
  /** One per action, reminder instant and recipient: a signal repeated by a retry is dropped. */
  key: string;
  actionWorkflowId: string;
  incidentId: string;
  actionId: string;
  title: string;
  owner: string;
  ticket?: string;
  dueAt: string;
  scheduledFor: string;
  /** "due in 3d", "overdue by 2d". */
  when: string;
}
export interface ReminderDelivered {
  recipient: string;
  scheduledFor: string;
}
export const queueReminderSignal = defineSignal<[ReminderItem]>('queue-reminder');
export const withdrawRemindersSignal = defineSignal<[{ actionWorkflowId: string }]>('withdraw-reminders');
export const reminderDeliveredSignal = defineSignal<[ReminderDelivered]>('reminder-delivered');
