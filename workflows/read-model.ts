// What an incident publishes of itself for the read side: search attributes (indexed, filterable) and
// a compact KPI summary in its memo (returned by a visibility list, not queryable). Computed from the
// state alone, so the workflow can republish whenever either differs from what it last published.
// Pure: runs in the workflow sandbox and in the API process.
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { durationMs, durationPattern } from '../runbooks/duration.js';
import {
  IncidentAffectedService,
  IncidentCategory,
  IncidentCommander,
  IncidentDeclaredAt,
  IncidentFlags,
  IncidentMitigatedAt,
  IncidentNextActionDue,
  IncidentOpenActions,
  IncidentResolvedAt,
  IncidentRunbook,
  IncidentSeverity,
  IncidentStatus,
  IncidentTimeToMitigate,
} from './search-attributes.js';
import type { CorrectiveAction, IncidentState, ObligationClock } from './types.js';

/** The memo key of the summary. */
export const SUMMARY_MEMO_KEY = 'summary';
export const SUMMARY_VERSION = 1;

/**
 * What the list and the KPIs need of one incident beyond its search attributes: the KPIs' inputs
 * (app/kpis/compute.ts KpiIncident, without the id, which is the workflow id) and the steps
 * awaiting a decision.
 */
export interface ReadSummary {
  v: typeof SUMMARY_VERSION;
  severity: IncidentState['severity'];
  status: IncidentState['status'];
  declaredAt: string;
  detectedAt?: string;
  acknowledgedAt?: string;
  mitigatedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  mitigationTarget?: string;
  /** The runbook's id. */
  runbook?: string;
  service?: string;
  fingerprint?: string;
  actions: ReadActionSummary[];
  /** Each obligation's status and whether it was met on time: the KPIs' obligations; absent until one is classified. */
  obligations?: ReadObligationSummary[];
  /** Containment steps (undos included) awaiting a decision. */
  pendingSteps: number;
  /** Status updates on time and windows missed; absent for incidents whose cadence does not follow updates. */
  updateCadence?: { onTime: number; overdue: number };
}

export type ReadActionSummary = Pick<CorrectiveAction, 'status' | 'dueAt' | 'onTime' | 'endedAt'>;
export type ReadObligationSummary = Pick<ObligationClock, 'status' | 'onTime'>;

/** The words IncidentFlags holds. */
export const INCIDENT_FLAGS = [
  'acknowledged',
  'mitigated',
  'resolved',
  'closed',
  /** Mitigated later than its target, or resolved unmitigated after it (open past it is judged by the reader). */
  'target-breached',
  'postmortem-required',
  'postmortem-completed',
  'repeat',
  /** Raised or joined by monitoring alerts. */
  'alerted',
  /** A containment step (or undo) awaits a decision. */
  'awaiting-approval',
  /** On the public status page (publish-incident): the status page lists these alone. */
  'published',
] as const;
export type IncidentFlag = (typeof INCIDENT_FLAGS)[number];

export function readSummaryOf(state: IncidentState): ReadSummary {
  return {
    v: SUMMARY_VERSION,
    severity: state.severity,
    status: state.status,
    declaredAt: state.declaredAt,
    ...optional({
      detectedAt: state.detectedAt,
      acknowledgedAt: state.acknowledgedAt,
      mitigatedAt: state.mitigatedAt,
      resolvedAt: state.resolvedAt,
      closedAt: state.closedAt,
      mitigationTarget: state.mitigationTarget,
      runbook: state.runbook?.id,
      service: state.service,
      fingerprint: state.fingerprint,
    }),
    actions: state.actions.map((a) => ({
      status: a.status,
      dueAt: a.dueAt,
      ...optional({ onTime: a.onTime, endedAt: a.endedAt }),
    })),
    // Only once there are obligations: the summaries of incidents without them stay as they were published.
    ...(state.obligations?.length
      ? { obligations: state.obligations.map((o) => ({ status: o.status, ...optional({ onTime: o.onTime }) })) }
      : {}),
    pendingSteps: state.steps.filter((s) => s.status === 'pending').length,
    ...(state.updateCadence
      ? { updateCadence: { onTime: state.updateCadence.onTime, overdue: state.updateCadence.overdue } }
      : {}),
  };
}

/** The summary in a listed incident's memo, if it has one of this version (incidents from before the read side have none). */
export function readSummaryFromMemo(memo: Record<string, unknown> | undefined): ReadSummary | undefined {
  const summary = memo?.[SUMMARY_MEMO_KEY] as Partial<ReadSummary> | undefined;
  if (typeof summary !== 'object' || summary === null || summary.v !== SUMMARY_VERSION) return undefined;
  if (typeof summary.declaredAt !== 'string' || !Array.isArray(summary.actions)) return undefined;
  return summary as ReadSummary;
}

export function incidentFlagsOf(state: IncidentState): IncidentFlag[] {
  const flags: IncidentFlag[] = [];
  if (state.acknowledgedAt) flags.push('acknowledged');
  if (state.mitigatedAt) flags.push('mitigated');
  if (state.resolvedAt) flags.push('resolved');
  if (state.closedAt) flags.push('closed');
  if (targetBreached(state)) flags.push('target-breached');
  if (state.postmortem?.required) flags.push('postmortem-required');
  if (state.postmortem?.completedAt) flags.push('postmortem-completed');
  if (state.repeatOf) flags.push('repeat');
  if (state.alerts) flags.push('alerted');
  if (state.steps.some((s) => s.status === 'pending')) flags.push('awaiting-approval');
  if (state.publicListing) flags.push('published');
  return flags;
}

/** Every attribute, a null removing one that no longer applies. */
export function searchAttributesOf(state: IncidentState): SearchAttributeUpdatePair[] {
  const declared = Date.parse(state.declaredAt);
  const open = state.actions.filter((a) => a.status === 'open');
  const nextDue = open.length ? Math.min(...open.map((a) => Date.parse(a.dueAt))) : undefined;
  return [
    { key: IncidentSeverity, value: state.severity },
    { key: IncidentStatus, value: state.status },
    { key: IncidentCategory, value: state.category },
    { key: IncidentCommander, value: state.commander },
    { key: IncidentAffectedService, value: state.service ?? null },
    { key: IncidentRunbook, value: state.runbook?.id ?? null },
    { key: IncidentDeclaredAt, value: new Date(declared) },
    { key: IncidentMitigatedAt, value: state.mitigatedAt ? new Date(state.mitigatedAt) : null },
    { key: IncidentResolvedAt, value: state.resolvedAt ? new Date(state.resolvedAt) : null },
    {
      key: IncidentTimeToMitigate,
      value: state.mitigatedAt ? Math.floor((Date.parse(state.mitigatedAt) - declared) / 1000) : null,
    },
    { key: IncidentOpenActions, value: open.length },
    { key: IncidentNextActionDue, value: nextDue === undefined ? null : Math.floor(nextDue / 1000) },
    { key: IncidentFlags, value: incidentFlagsOf(state) },
  ] as SearchAttributeUpdatePair[];
}

function targetBreached(state: IncidentState): boolean {
  const target = state.mitigationTarget;
  if (target === undefined || !durationPattern.test(target)) return false;
  const end = state.mitigatedAt ?? state.resolvedAt;
  return end !== undefined && Date.parse(end) - Date.parse(state.declaredAt) > durationMs(target);
}

/** The fields whose value is defined (the memo, JSON, would drop the others anyway; equal summaries compare equal). */
function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}
