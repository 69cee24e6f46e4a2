// Where an incident is worked in chat: its own channel, a status message kept current, and one message
// per step awaiting a decision. Slack is the implementation; without one, chat is simply off.
import type { Decision, IncidentStatus, Severity, StepStatus } from '../../runbooks/vocabulary.js';

export interface ChannelRef {
  provider: string;
  id: string;
  name: string;
  url?: string;
}

export interface ChatChannel extends ChannelRef {
  /** Who was invited when it was opened, and what went wrong inviting, if anything. */
  invited?: string[];
  inviteProblem?: string;
}

export interface OpenChannelRequest {
  incidentId: string;
  title: string;
  severity: Severity;
  /** People to invite, as the entry points know them (the IC, `user:` refs of the runbook). */
  people: string[];
  /** Approver groups of the runbook's responders: their members are invited too. */
  groups: Record<string, string[]>;
}

export interface StepView {
  id: string;
  title: string;
  target: string;
  status: StepStatus;
  decision?: Decision;
  result?: string;
}

/** What the pinned status message shows. */
export interface StatusView {
  incidentId: string;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  commander: string;
  runbook?: string;
  steps: StepView[];
  /** Steps waiting for a person's decision. */
  pendingApprovals: number;
  summary?: string;
  /** The latest status update to the stakeholders. */
  latestUpdate?: { id: string; at: string; by: string; text: string; impact?: string };
  /** When the next status update is due, while the runbook's cadence (or a promise) sets one. */
  nextUpdateDue?: string;
  /** The obligations' clocks, once a classification started one (absent before). */
  obligations?: ObligationView[];
}

/** An obligation as chat shows it: which rule, due when, and how it stands. */
export interface ObligationView {
  id: string;
  regime: string;
  dueAt: string;
  status: 'open' | 'met' | 'overdue' | 'withdrawn';
  onTime?: boolean;
}

/** A step that waits, or waited, for a decision: buttons while it waits, the decision afterwards. */
export interface ApprovalView {
  incidentId: string;
  severity: Severity;
  step: StepView & { description: string };
  /** Who may decide, in words ("the incident commander (U123), group safety-oncall (…)"). */
  approvers: string;
  /** "evidence captured (sha256 …)" or why not, once a snapshot was taken for the step. */
  evidence?: string;
}

export interface ChatProvider {
  readonly name: string;
  /** Creates (or, after a retry, finds) the incident's channel and invites its people. */
  openChannel(request: OpenChannelRequest): Promise<ChatChannel>;
  /** Posts the status message, or updates it in place when `ts` is given. */
  showStatus(channel: ChatChannel, view: StatusView, ts?: string): Promise<{ ts: string }>;
  /** Pins a message (the status message, once posted); pinning it again is fine. */
  pin(channel: ChatChannel, ts: string): Promise<void>;
  /** Posts the approval request, or updates it in place when `ts` is given. */
  showApproval(channel: ChatChannel, view: ApprovalView, ts?: string): Promise<{ ts: string }>;
}
