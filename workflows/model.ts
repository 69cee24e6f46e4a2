// Shapes shared by the workflow, the ingress and the CLI. Pure data: safe inside the workflow sandbox.

export const SEVERITIES = ['P0', 'P1', 'P2', 'P3'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = [
  'jailbreak',
  'prompt-injection',
  'data-leak',
  'harmful-output',
  'model-regression',
  'excessive-agency',
  'unbounded-consumption',
  'retrieval-poisoning',
  'abuse',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** product.md §4; postmortem and closed arrive with the postmortem issue. */
export type IncidentStatus = 'declared' | 'triaging' | 'mitigated' | 'resolved';

export type StepStatus = 'pending' | 'approved' | 'rejected' | 'executing' | 'verified' | 'failed' | 'expired';

export interface Decision {
  outcome: 'approved' | 'rejected';
  /** A person, or `system` when a pre-approved step ran because nobody decided in time. */
  by: string;
  at: string;
  reason?: string;
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

export interface TimelineEntry {
  at: string;
  type: string;
  actor: string;
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
  /** A runbook chosen by id; otherwise the category picks one, else the fallback. */
  runbookId?: string;
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
  mitigatedAt?: string;
  resolvedAt?: string;
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
  timeline: TimelineEntry[];
}

export interface TriageInput {
  itemId: string;
  actor: string;
  note?: string;
}

export interface StepDecisionInput {
  stepId: string;
  actor: string;
  reason?: string;
}

export interface RefusalInput {
  stepId: string;
  actor: string;
  decision: 'approve' | 'reject';
  reason: string;
}

export interface ResolveInput {
  actor: string;
  summary: string;
}

export interface SetSeverityInput {
  actor: string;
  severity: Severity;
}

export interface AssignCommanderInput {
  actor: string;
  commander: string;
}
