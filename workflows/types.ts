// The incident's state and what it is made of, as the workflow keeps it and the ingress and CLI read it.
// Pure data: safe inside the workflow sandbox. The words shared with runbooks and integrations live
// beside them (runbooks/vocabulary.ts, each integration's provider.ts) and are re-exported here.
import type {
  ActionEscalation,
  ActionKind,
  ActionStatus,
  Category,
  Decision,
  IdentitySource,
  IncidentStatus,
  Severity,
  StepStatus,
} from '../runbooks/vocabulary.js';
import type { Ticket } from '../integrations/ticketing/provider.js';
import type { ObligationPhase, ReportTemplate } from '../runbooks/obligation-rules.js';
import type { ChannelRef } from '../integrations/chat/provider.js';

export { ACTION_KINDS, CATEGORIES, INCIDENT_STATUSES, SEVERITIES } from '../runbooks/vocabulary.js';
export type {
  ActionEscalation,
  ActionKind,
  ActionStatus,
  Category,
  Decision,
  IdentitySource,
  IncidentStatus,
  Severity,
  StepStatus,
} from '../runbooks/vocabulary.js';
export type { Ticket } from '../integrations/ticketing/provider.js';
export type { ChannelRef } from '../integrations/chat/provider.js';

/** A follow-up that keeps the incident open until it is closed or waived; each runs as its own child workflow. */
export interface CorrectiveAction {
  /** `A1`, `A2`, … within the incident. */
  id: string;
  kind: ActionKind;
  title: string;
  owner: string;
  dueAt: string;
  addedBy: string;
  addedAt: string;
  status: ActionStatus;
  ticket?: Ticket;
  escalation: ActionEscalation;
  /** Reminders sent so far (before due, at due, overdue), escalations included. */
  reminders: number;
  endedAt?: string;
  /** Who closed the ticket (or how it was found closed), or the IC who waived it. */
  endedBy?: string;
  waiverReason?: string;
  /** Closed no later than its due date; unset while open and for waived actions. */
  onTime?: boolean;
}

/** Who may read a status update: the incident's people and stakeholders, or also the public status page. */
export type UpdateVisibility = 'internal' | 'public';

/** A status update the IC (or a communicator) posted: on the timeline, in the postmortem, to the stakeholders. */
export interface StatusUpdate {
  /** `U1`, `U2`, … within the incident. */
  id: string;
  at: string;
  by: string;
  via?: IdentitySource;
  text: string;
  /** The current impact, in the poster's words. */
  impact?: string;
  /** When the poster promises the next update. */
  nextUpdateAt?: string;
  visibility: UpdateVisibility;
}

/**
 * The status-update cadence kept since 'status-updates-since-last': each window (from the declaration, an
 * update, a severity change or a missed due time to the next due time) ends met by an update or missed.
 */
export interface UpdateCadence {
  /** Updates posted no later than they were due (and not after a missed window). */
  onTime: number;
  /** Windows that ended with no update: each an `update.overdue` on the timeline and a reminder to the IC. */
  overdue: number;
  /** The due time first missed, while no update has followed it. */
  overdueSince?: string;
  /**
   * The current window as the cadence loop judged it: its start, the severity and how many updates it
   * had seen. A continued run picks it up, so a change it has not judged yet (an update or a severity
   * change handled before its loop started) still opens a new window.
   */
  window?: { from: string; severity: Severity; updates: number };
}

/** The incident as the public status page shows it, once the IC published it: their public title, nothing internal. */
export interface PublicListing {
  title: string;
  since: string;
  by: string;
}

/** A classification of the incident (personal-data-breach, serious-incident:death, …): a recorded decision that starts obligations. */
export interface Classification {
  classification: string;
  /** When the company became aware: the clock starts here (it may be earlier than the classification). */
  awareAt: string;
  by: string;
  via?: IdentitySource;
  at: string;
  reason: string;
  /** Set when it was withdrawn (unclassified), with why. */
  withdrawn?: { by: string; via?: IdentitySource; at: string; reason: string };
}

/** open: the clock runs; met: a report went in (on time or not, see onTime); overdue: the deadline passed with none; withdrawn: its classification was. */
export type ObligationStatus = 'open' | 'met' | 'overdue' | 'withdrawn';

export interface ObligationReminder {
  percent: number;
  at: string;
  sentAt?: string;
  /** Its time had already passed when the clock started (awareness earlier than the classification). */
  skipped?: boolean;
}

export interface ObligationSubmission {
  phase: ObligationPhase;
  /** The authority's reference, or ours for the report (a case number, a file name). */
  reference: string;
  by: string;
  via?: IdentitySource;
  at: string;
  /** After the deadline, with nothing submitted before. */
  late: boolean;
  /** The reasons for the delay, required when late (GDPR Art. 33(1)). */
  reasons?: string;
}

/** One obligation a classification started: a durable clock in the incident (workflows/incident/obligations.ts). */
export interface ObligationClock {
  /** The runbook obligation's id. */
  id: string;
  regime: string;
  title: string;
  classification: string;
  recipient: string;
  responsible: string;
  escalateTo: string[];
  deadline: string;
  awareAt: string;
  startedAt: string;
  dueAt: string;
  reminders: ObligationReminder[];
  phases: ObligationPhase[];
  report: ReportTemplate;
  submissions: ObligationSubmission[];
  status: ObligationStatus;
  /** Set at the first submission: whether it came by the deadline. */
  onTime?: boolean;
  overdueAt?: string;
  /** The final phase was submitted. */
  completedAt?: string;
  withdrawnAt?: string;
}

export interface Postmortem {
  /** Required at this severity by the runbook: the incident closes only once the IC marks it complete. */
  required: boolean;
  draftedAt: string;
  markdown: string;
  completedAt?: string;
  completedBy?: string;
}

export interface ContainmentStep {
  id: string;
  /** The runbook's step kind, or `undo` for the step that reverses one after resolution. */
  kind: string;
  title: string;
  description: string;
  /** What the step changes, in a few words: "flag agent-tools.send-email.enabled off". */
  target: string;
  /** Approver references that may decide now: `ic`, `user:<id>`, `group:<name>`; grows on escalation. */
  approvers: string[];
  escalationLevel: number;
  /** When the current wait for a decision ends (escalation, or execution when pre-approved). */
  decisionDue?: string;
  status: StepStatus;
  decision?: Decision;
  /** What the executor and the read-back reported, in words an IC can act on. */
  result?: string;
  /** For `undo` steps: the step they reverse. */
  undoes?: string;
}

/** What one part of an evidence snapshot is: the state the step will change, a runbook source, or the triage notes. */
export type EvidenceItemKind = 'provider-state' | 'source' | 'triage-notes';

/** One part of an evidence snapshot, content-hashed after redaction (the stored bytes are exactly what was hashed). */
export interface EvidenceItem {
  /** `flag <key>`, `model <name> "<alias>"`, the runbook source's id, or `triage-notes`. */
  name: string;
  kind: EvidenceItemKind;
  /** sha256 (hex) of this item's content as stored. */
  sha256?: string;
  bytes?: number;
  /** The source answered more than the limit: only the first bytes are kept. */
  truncated?: boolean;
  /** Why this item could not be read (no secret, no response body). */
  error?: string;
}

/** captured: every item read and stored; failed: something could not be; overridden: failed, and the IC let the step run anyway. */
export type EvidenceStatus = 'captured' | 'failed' | 'overridden';

/**
 * An evidence snapshot of what a containment step will change, taken before it changes it (AI Act Art. 73(6)).
 * A step may have two: at the approval request and again right before execution; both stay recorded.
 */
export interface EvidenceRecord {
  stepId: string;
  /** requested: when the approval was requested; before-change: right before the step ran. */
  moment: 'requested' | 'before-change';
  capturedAt: string;
  status: EvidenceStatus;
  /** The runbook marked the step `preserveEvidence: required`: it does not run without a snapshot or an override. */
  required: boolean;
  /** sha256 (hex) of the whole snapshot file as stored; absent when nothing could be stored. */
  sha256?: string;
  /** Where the snapshot is stored: `local:<path under DATA_DIR>` (content-addressed by sha256). */
  location?: string;
  items: EvidenceItem[];
  /** Why the capture failed, for the IC. */
  reason?: string;
  /** The IC's decision to run the step without a complete snapshot. */
  override?: { by: string; via?: IdentitySource; at: string; reason: string };
}

export interface TriageItem {
  id: string;
  title: string;
  description: string;
  done?: { by: string; at: string; note?: string };
}

export interface RunbookRef {
  id: string;
  title: string;
  file: string;
  hash: string;
}

/** Every kind of timeline entry, by what it records; the postmortem and the KPIs match on these. */
export type TimelineType =
  | 'declared'
  | 'repeat'
  | 'runbook.selected'
  | 'runbook.warning'
  | 'commander.assigned'
  | 'acknowledged'
  | 'severity.changed'
  | 'triage.done'
  | 'alert.firing'
  | 'alert.resolved'
  | 'alerts.all-resolved'
  | 'containment.proposed'
  | 'containment.approved'
  | 'containment.auto-approved'
  | 'containment.rejected'
  | 'containment.executed'
  | 'containment.verified'
  | 'containment.failed'
  | 'containment.verification-failed'
  | 'containment.expired'
  | 'approval.refused'
  | 'request.refused'
  | 'approval.pre-approval-withheld'
  | 'approval.escalated'
  | 'approval.overdue'
  | 'undo.proposed'
  | 'undo.expired'
  | 'status.mitigated'
  | 'status.resolved'
  | 'status.closed'
  | 'update.posted'
  | 'update.overdue'
  | 'notification.sent'
  | 'notification.failed'
  | 'page.sent'
  | 'page.acknowledged'
  | 'page.resolved'
  | 'page.failed'
  | 'record.opened'
  | 'record.closed'
  | 'record.failed'
  | 'chat.channel'
  | 'chat.failed'
  | 'postmortem.drafted'
  | 'postmortem.completed'
  | 'action.added'
  | 'action.ticket-opened'
  | 'action.ticket-failed'
  | 'action.reminded'
  | 'action.reminder-failed'
  | 'action.escalated'
  | 'action.poll-failed'
  | 'action.closed'
  | 'action.waived'
  | 'action.failed'
  | 'incident.published'
  | 'obligation.classified'
  | 'obligation.unclassified'
  | 'obligation.started'
  | 'obligation.reminded'
  | 'obligation.overdue'
  | 'obligation.submitted'
  | 'obligation.withdrawn'
  | 'evidence.captured'
  | 'evidence.failed'
  | 'evidence.overridden';

export interface TimelineEntry {
  at: string;
  type: TimelineType;
  actor: string;
  /** How the actor was identified; absent for the workflow's own entries and before identities were recorded. */
  via?: IdentitySource;
  message: string;
  data?: Record<string, unknown>;
}

export interface DeclareInput {
  id: string;
  title: string;
  category: Category;
  severity: Severity;
  description: string;
  commander: string;
  declaredBy: string;
  /** How the declarer was identified (an alert source is `webhook`). */
  declaredVia?: IdentitySource;
  /** Groups the declarer's identity source vouches for: whether their choice of severity may pre-approve steps. */
  declarerMemberOf?: string[];
  /**
   * Who chose the severity: the runbook (its default or a severity rule), the declaring person, or an
   * alert's own `severity` label. Only the runbook, or a person who may approve a step, makes a
   * severity at which that step is pre-approved apply to it.
   */
  severityFrom?: 'runbook' | 'person' | 'alert';
  /** A runbook chosen by id; otherwise the category picks one, else the fallback. */
  runbookId?: string;
  /** When the problem began or was first seen (an alert's start); defaults to the declaration. */
  detectedAt?: string;
  /** The AI feature or service affected; repeat incidents are counted per runbook and service. */
  service?: string;
  /** An alert's fingerprint, when monitoring raised the incident. */
  fingerprint?: string;
  /** The alerts that raised it, when monitoring did. */
  alerts?: AlertSummary[];
  /** The alert intake workflow that started it (named so before intakes were sharded): told when the incident closes, so a new firing of its group opens a new one. */
  alertGroup?: string;
  /** The incident of the same alert group that closed before this one. */
  repeatOf?: string;
  /** Put on the timeline as `runbook.warning`: what went wrong choosing the runbook before the declaration (alert routing). */
  warnings?: string[];
}

/** One alert as an incident sees it (integrations/alerts normalizes each source to this and more). */
export interface AlertSummary {
  fingerprint: string;
  status: 'firing' | 'resolved';
  title: string;
  startsAt: string;
  endsAt?: string;
  url?: string;
  /** Identical notifications (same alert, same status) the alert intake merged into this one; 1 when absent. */
  count?: number;
}

/** What an incident keeps of its alerts: one entry per fingerprint, however many times it fired. */
export interface AlertTally {
  /** Every alert notification received, repeats included. */
  received: number;
  byFingerprint: Record<
    string,
    { title: string; status: 'firing' | 'resolved'; firstAt: string; lastAt: string; count: number; url?: string }
  >;
}

export interface IncidentState {
  id: string;
  title: string;
  category: Category;
  severity: Severity;
  description: string;
  status: IncidentStatus;
  commander: string;
  declaredBy: string;
  declaredAt: string;
  /** Start of the impact as far as anyone knows (an alert's start, or given at declaration); unset when unknown. */
  detectedAt?: string;
  /** The IC's first action on the incident (or an explicit acknowledgement). */
  acknowledgedAt?: string;
  mitigatedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  service?: string;
  fingerprint?: string;
  summary?: string;
  runbook?: RunbookRef;
  /** Time allowed from declaration to mitigation at the current severity, if the runbook sets one. */
  mitigationTarget?: string;
  triage: TriageItem[];
  steps: ContainmentStep[];
  /** Stakeholder groups told so far. */
  notified: string[];
  /** On-call rotations paged so far. */
  paged: string[];
  actions: CorrectiveAction[];
  postmortem?: Postmortem;
  /** The incident's own ticket in the tracker, once filed. */
  record?: Ticket;
  /** The monitoring alerts that raised or joined it. */
  alerts?: AlertTally;
  repeatOf?: string;
  /** Where the incident is worked in chat (its Slack channel), once opened. */
  channel?: ChannelRef;
  /** When the IC is next reminded to post a status update, while the runbook sets a cadence. */
  statusUpdateDue?: string;
  /** Status updates posted, oldest first. */
  updates?: StatusUpdate[];
  /** Updates on time and windows missed, once the cadence follows updates (status-updates.ts). */
  updateCadence?: UpdateCadence;
  /** Set once the IC publishes the incident on the status page (product.md §7). */
  publicListing?: PublicListing;
  /** Classifications recorded (withdrawn ones too), oldest first; absent until the first. */
  classifications?: Classification[];
  /** The obligations classifications started, each a clock; absent until the first. */
  obligations?: ObligationClock[];
  /** Evidence snapshots taken before containment steps changed the system, oldest first; absent until the first. */
  evidence?: EvidenceRecord[];
  timeline: TimelineEntry[];
}
