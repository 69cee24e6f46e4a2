// Shapes shared by the workflow, the ingress and the CLI. Pure data: safe inside the workflow sandbox.

export const SEVERITIES = ['P0', 'P1', 'P2', 'P3'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = [
  'jailbreak',
  'prompt-injection',
  'data-leak',
  'harmful-output',
  'abuse',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** product.md §4; postmortem and closed arrive with the postmortem issue. */
export type IncidentStatus = 'declared' | 'triaging' | 'mitigated' | 'resolved';

export type StepStatus = 'pending' | 'approved' | 'rejected' | 'executing' | 'verified' | 'failed';

export interface Decision {
  by: string;
  at: string;
  reason?: string;
}

export interface FlagOffStep {
  id: string;
  kind: 'flag-off';
  title: string;
  flagKey: string;
  /** Who besides the current incident commander may decide. */
  approvers: string[];
  status: StepStatus;
  decision?: Decision & { outcome: 'approved' | 'rejected' };
  /** What the executor and the read-back reported, in words an IC can act on. */
  result?: string;
}

export type ContainmentStep = FlagOffStep;

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
  killSwitchFlag: string;
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
  steps: ContainmentStep[];
  timeline: TimelineEntry[];
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
