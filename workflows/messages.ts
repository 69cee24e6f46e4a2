import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ObligationPhase } from '../runbooks/obligation-rules.js';
import type { IdentitySource } from '../runbooks/vocabulary.js';
import type {
  ActionKind,
  AlertSummary,
  Category,
  ContainmentStep,
  CorrectiveAction,
  IncidentState,
  ObligationClock,
  Severity,
  StatusUpdate,
  TimelineEntry,
  UpdateVisibility,
} from './types.js';

// What each Update and signal of the incident workflow carries.
/**
 * Who asks, as the entry point verified it (product.md §8): never what a request body claims. The
 * workflow trusts its callers (the product's own API, Slack app and webhooks) to have checked this.
 */
export interface ActorInput {
  /** The person, NFKC-normalised; control and format characters are refused. */
  actor: string;
  /** How the entry point knows it is them. */
  via?: IdentitySource;
  /** Groups the identity source vouches for (the IdP's group claim, Slack user groups); never from a request body. */
  memberOf?: string[];
}

export interface TriageInput extends ActorInput {
  itemId: string;
  note?: string;
}

export interface StepDecisionInput extends ActorInput {
  stepId: string;
  reason?: string;
}

/** A request the workflow refused, recorded by the entry point that was refused (validators cannot write). */
export interface RefusalInput {
  actor: string;
  via?: IdentitySource;
  /** The Update that was refused: `approve`, `reject`, `assign-commander`, `close-action`, … */
  decision: string;
  /** The step (for approvals) or action it was about, if any. */
  stepId?: string;
  actionId?: string;
  reason: string;
  /** How many attempts this signal stands for: the ingress coalesces repeats (1 when absent). */
  count?: number;
}

export interface ResolveInput extends ActorInput {
  summary: string;
}

export interface SetSeverityInput extends ActorInput {
  severity: Severity;
}

export interface AssignCommanderInput extends ActorInput {
  commander: string;
}

export type AcknowledgeInput = ActorInput;

export interface AddActionInput extends ActorInput {
  kind: ActionKind;
  title: string;
  owner: string;
  /** ISO date or date-time; defaults to the runbook's due days for the incident's severity. */
  dueAt?: string;
}

export interface WaiveActionInput extends ActorInput {
  actionId: string;
  reason: string;
}

export interface CloseActionInput extends ActorInput {
  actionId: string;
}

export type CompletePostmortemInput = ActorInput;

export interface PostStatusUpdateInput extends ActorInput {
  text: string;
  impact?: string;
  /** ISO date-time of the promised next update. */
  nextUpdateAt?: string;
  /** `internal` when absent. A public update needs the incident published (publishIncidentUpdate). */
  visibility?: UpdateVisibility;
}

export interface PublishIncidentInput extends ActorInput {
  /** The incident's title as the public should read it. */
  title: string;
}

/** The IC lets a step held for its evidence (`preserveEvidence: required`, capture failed) run without it. */
export interface OverrideEvidenceInput extends ActorInput {
  stepId: string;
  reason: string;
}

export interface ClassifyInput extends ActorInput {
  /** One the runbook's obligations name as a trigger (personal-data-breach, serious-incident:death, …). */
  classification: string;
  /** ISO date-time the company became aware; now when absent; never in the future. */
  awareAt?: string;
  reason: string;
}

export interface UnclassifyInput extends ActorInput {
  classification: string;
  reason: string;
}

export interface SubmitObligationInput extends ActorInput {
  obligationId: string;
  phase: ObligationPhase;
  reference: string;
  /** Why it is late: required after the deadline when nothing was submitted before. */
  reasons?: string;
}

export const getStateQuery = defineQuery<IncidentState>('state');

export const approveStepUpdate = defineUpdate<ContainmentStep, [StepDecisionInput]>('approve');
export const rejectStepUpdate = defineUpdate<ContainmentStep, [StepDecisionInput]>('reject');
export const resolveUpdate = defineUpdate<IncidentState, [ResolveInput]>('resolve');
export const setSeverityUpdate = defineUpdate<IncidentState, [SetSeverityInput]>('set-severity');
export const completeTriageUpdate = defineUpdate<IncidentState, [TriageInput]>('complete-triage');
export const assignCommanderUpdate = defineUpdate<IncidentState, [AssignCommanderInput]>('assign-commander');
export const postStatusUpdateUpdate = defineUpdate<StatusUpdate, [PostStatusUpdateInput]>('post-status-update');
export const overrideEvidenceUpdate = defineUpdate<ContainmentStep, [OverrideEvidenceInput]>('override-evidence');
export const classifyUpdate = defineUpdate<IncidentState, [ClassifyInput]>('classify');
export const unclassifyUpdate = defineUpdate<IncidentState, [UnclassifyInput]>('unclassify');
export const submitObligationUpdate = defineUpdate<ObligationClock, [SubmitObligationInput]>('submit-obligation');
export const publishIncidentUpdate = defineUpdate<IncidentState, [PublishIncidentInput]>('publish-incident');

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
/** A person closes an action (its owner, the IC or an approver, by policy); the action's workflow ends it. */
export const closeActionUpdate = defineUpdate<CorrectiveAction, [CloseActionInput]>('close-action');
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

// Alert intake: the webhooks hand alerts to one intake workflow per shard, which opens and feeds incidents.
/** What the webhook decided for an alert group: the incident to open if none is open. */
export interface AlertRouting {
  runbookId: string;
  severity: Severity;
  /** Whether a runbook rule (or its default) chose the severity, or the alert's own label did. */
  severityFrom?: 'runbook' | 'alert';
  category: Category;
  title: string;
  description: string;
  commander: string;
  /** The alert source, as the declarer (alertmanager, grafana, …). */
  declaredBy: string;
  service?: string;
  /** What the IC should know about the routing (a `runbook` label naming no runbook); absent when none. */
  warnings?: string[];
}

/** Alerts of one group, as the webhook hands them over. */
export interface GroupAlerts {
  groupKey: string;
  routing: AlertRouting;
  alerts: AlertSummary[];
}

export interface AlertGroupState {
  groupKey: string;
  incidentId?: string;
  lastIncidentId?: string;
  received: number;
}

export const alertBatchSignal = defineSignal<[{ groups: GroupAlerts[] }]>('alert-batch');
/** A group's incident, by group key. */
export const alertGroupQuery = defineQuery<AlertGroupState | undefined, [string]>('alert-group');
