// The words runbooks, integrations and workflows share: severities, categories, lifecycle states.
// Pure data, importing nothing: every layer may use it (ARCHITECTURE.md).

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

/** product.md §4. `postmortem`: resolved, corrective actions still being worked; `closed`: all of them ended. */
export const INCIDENT_STATUSES = ['declared', 'triaging', 'mitigated', 'resolved', 'postmortem', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const ACTION_KINDS = ['detect', 'mitigate', 'prevent'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
export type ActionStatus = 'open' | 'closed' | 'waived';
/** How far an open action's reminders have gone: the owner, then the IC, then the engineering managers. */
export type ActionEscalation = 'owner' | 'ic' | 'managers';

export type StepStatus = 'pending' | 'approved' | 'rejected' | 'executing' | 'verified' | 'failed' | 'expired';

/**
 * How the product knows who acted (product.md §8): an OpenID Connect token, a personal API token, an
 * authenticating proxy's header, a signed Slack request, the one person on a loopback-only laptop, a
 * signed tracker webhook, or the workflow itself.
 */
export const IDENTITY_SOURCES = ['oidc', 'api-token', 'proxy', 'slack', 'local', 'webhook', 'system'] as const;
export type IdentitySource = (typeof IDENTITY_SOURCES)[number];

export interface Decision {
  outcome: 'approved' | 'rejected';
  /** A person, or `system` when a pre-approved step ran because nobody decided in time. */
  by: string;
  /** How the entry point knew it was them. */
  via?: IdentitySource;
  at: string;
  reason?: string;
}
