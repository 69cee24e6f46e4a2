// The policy's plain types and defaults, without zod: the workflows import these (runbooks/policy.ts
// has the schema that validates policy.yaml and a runbook's `policy`).
import type { Severity } from './vocabulary.js';

/** `anyone`, `ic`, `owner`, `approvers`, `user:<id>` or `group:<name>` (see runbooks/policy.ts). */
export type RoleRef = string;

export type Permission =
  | 'declare'
  | 'changeSeverity'
  | 'severityTo'
  | 'handover'
  | 'resolve'
  | 'acknowledge'
  | 'triage'
  | 'addAction'
  | 'closeAction'
  | 'waiveAction'
  | 'completePostmortem'
  | 'publish'
  | 'classify'
  | 'postUpdate'
  | 'exportRecord'
  | 'administerTokens';

export type Policy = { [P in Exclude<Permission, 'severityTo'>]: RoleRef[] } & {
  severityTo: Partial<Record<Severity, RoleRef[]>>;
};

export const DEFAULT_POLICY: Policy = {
  declare: ['anyone'],
  changeSeverity: ['ic', 'approvers', 'group:incident-commanders'],
  severityTo: {},
  handover: ['ic', 'group:incident-commanders'],
  resolve: ['ic'],
  acknowledge: ['ic'],
  triage: ['anyone'],
  addAction: ['anyone'],
  closeAction: ['owner', 'ic', 'approvers'],
  waiveAction: ['ic'],
  completePostmortem: ['ic'],
  publish: ['ic'],
  classify: ['ic'],
  postUpdate: ['ic'],
  exportRecord: ['ic', 'group:incident-admins'],
  administerTokens: ['group:incident-admins'],
};

/** The policy an incident of a runbook runs under: the product-wide one with the runbook's differences. */
export function effectivePolicy(global: Policy, runbook: Partial<Policy> | undefined): Policy {
  return { ...global, ...runbook, severityTo: { ...global.severityTo, ...runbook?.severityTo } };
}
