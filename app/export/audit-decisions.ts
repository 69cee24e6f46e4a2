// Every decision on an incident's timeline, with who made it and how the product knew it was them
// (product.md §8). Derived from the timeline alone, so the verifier can derive it again and compare.
import type { IdentitySource, TimelineEntry } from '../../workflows/types.js';

/** Timeline types that record a person's (or the workflow's) decision, in the export's words. */
const DECISION_TYPES: Record<string, string> = {
  declared: 'declaration',
  'containment.approved': 'approval',
  'containment.auto-approved': 'pre-approved step run (nobody decided in time)',
  'containment.rejected': 'rejection',
  'approval.refused': 'refused request',
  'request.refused': 'refused request',
  'severity.changed': 'severity change',
  'commander.assigned': 'commander change',
  acknowledged: 'acknowledgement',
  'obligation.classified': 'classification',
  'obligation.unclassified': 'un-classification',
  'obligation.submitted': 'submission',
  'status.resolved': 'resolution',
  'action.closed': 'corrective action closed',
  'action.waived': 'corrective action waived',
  'postmortem.completed': 'postmortem signed off',
  'incident.published': 'published on the status page',
};

/** How each identity source proves who acted. */
export const IDENTITY_SOURCE_MEANING: Record<IdentitySource, string> = {
  oidc: 'an OpenID Connect access token verified against the identity provider',
  'api-token': 'a personal API token issued by the product',
  proxy: "an authenticating proxy's header",
  slack: 'a request signed by Slack, carrying the Slack user id',
  local: 'a name typed on a loopback-only product with no identity source (not verified)',
  webhook: "a signed webhook (the sender's signature)",
  system: 'the incident workflow itself',
};

export interface AuditDecision {
  /** The entry's place on the timeline (and in the chain). */
  index: number;
  at: string;
  type: string;
  decision: string;
  actor: string;
  /** The identity source; `unrecorded` when the entry names none (older entries; some the workflow writes for a person). */
  via: IdentitySource | 'unrecorded';
  identity: string;
  message: string;
}

/** Overrides (say, an IC running a step without its evidence) are decisions whatever their prefix. */
const isDecision = (type: string) => type in DECISION_TYPES || type.includes('override');

export function auditDecisions(timeline: readonly TimelineEntry[]): AuditDecision[] {
  return timeline.flatMap((entry, index) => {
    if (!isDecision(entry.type)) return [];
    const via = entry.via ?? (entry.actor === 'system' ? 'system' : 'unrecorded');
    return [
      {
        index,
        at: entry.at,
        type: entry.type,
        decision: DECISION_TYPES[entry.type] ?? 'override',
        actor: entry.actor,
        via,
        identity:
          via === 'unrecorded'
            ? 'not recorded on this entry (the workflow recorded it for them, or before identities were recorded)'
            : IDENTITY_SOURCE_MEANING[via],
        message: entry.message,
      },
    ];
  });
}
