// Incident-response KPIs over a window of incidents: how fast we detect, acknowledge, mitigate and resolve,
// how often mitigation targets are missed, how often the same problem comes back, and whether corrective
// actions close on time. Pure: the caller passes the incidents and the clock.
import { durationMs } from '../../runbooks/duration.js';
import {
  SEVERITIES,
  type CorrectiveAction,
  type IncidentState,
  type IncidentStatus,
  type Severity,
} from '../../workflows/types.js';
import { obligationKpis, type KpiObligation, type ObligationKpis } from './obligation-kpis.js';
import { statusUpdateKpis, type StatusUpdateKpis } from './status-updates.js';

/** What the KPIs read of a corrective action. */
export type KpiAction = Pick<CorrectiveAction, 'status' | 'dueAt' | 'onTime' | 'endedAt'>;

/**
 * What the KPIs read of an incident: an IncidentState is one, and so is an incident's read summary
 * (workflows/read-model.ts) with its workflow id, which is how the KPIs are computed without a query.
 */
export interface KpiIncident extends Pick<
  IncidentState,
  | 'id'
  | 'declaredAt'
  | 'detectedAt'
  | 'acknowledgedAt'
  | 'mitigatedAt'
  | 'resolvedAt'
  | 'mitigationTarget'
  | 'service'
  | 'fingerprint'
  | 'updateCadence'
> {
  severity: Severity;
  status: IncidentStatus;
  runbook?: { id: string };
  actions: KpiAction[];
  /** Absent for incidents never classified. */
  obligations?: KpiObligation[];
}

export const TIMING_KINDS = ['detect', 'acknowledge', 'mitigate', 'resolve'] as const;
export type TimingKind = (typeof TIMING_KINDS)[number];

export const DEFAULT_REPEAT_WINDOW_MS = 30 * 86_400_000;
/** Share of due corrective actions that should be closed by their due date. */
export const ACTION_ON_TIME_TARGET = 0.85;

export interface KpiOptions {
  /** The end of the window; also the instant against which open targets and due dates are judged. */
  now: Date;
  /** Incidents declared at or after this instant are counted; older ones only serve to detect repeats. */
  since: Date;
  /** How long after an incident a matching one counts as a repeat; 30 days by default. */
  repeatWindowMs?: number;
}

/** Durations over the incidents that have both instants; percentiles by nearest rank. */
export interface TimingStats {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
  maxMs: number | null;
  /** Sum of the durations (0 when count is 0), so that a mean can be derived. */
  sumMs: number;
}

export interface MitigationTargetStats {
  /** The target of the most recently declared counted incident that has one, or null if none has. */
  target: string | null;
  /** Incidents judged against their own target: mitigated ones, and unmitigated ones whose target has elapsed. */
  measured: number;
  /** Mitigated later than their target, or not mitigated although their target has elapsed. */
  breached: number;
}

export interface RepeatIncident {
  id: string;
  /** The latest earlier incident it repeats. */
  repeatOf: string;
}

export interface ActionKpis {
  total: number;
  closedOnTime: number;
  closedLate: number;
  waived: number;
  /** All open actions, the overdue ones included. */
  open: number;
  /** Open past their due date. */
  overdue: number;
  /** Non-waived actions whose outcome is known: closedOnTime + closedLate + overdue. */
  due: number;
  /** closedOnTime / due; null when nothing is due. */
  onTimeRate: number | null;
  target: number;
}

/** One mitigated incident: how long mitigation took against the target it had. */
export interface MitigationPoint {
  id: string;
  severity: Severity;
  declaredAt: string;
  mitigateMs: number;
  targetMs: number | null;
}

/** Corrective actions due in a month (by due date) whose outcome is known, and how many closed on time. */
export interface MonthlyActionClosure {
  month: string;
  due: number;
  closedOnTime: number;
  onTimeRate: number | null;
}

export interface Kpis {
  window: { since: string; until: string };
  incidents: { total: number; open: number; bySeverity: Record<Severity, number> };
  timings: Record<Severity, Record<TimingKind, TimingStats>>;
  mitigationTargets: Record<Severity, MitigationTargetStats>;
  repeats: { count: number; incidents: RepeatIncident[] };
  actions: ActionKpis;
  /** Obligations met on time (GDPR Art. 33, EU AI Act Art. 73, …). */
  obligations: ObligationKpis;
  /** Status updates on time, per severity (incidents whose cadence follows updates). */
  statusUpdates: Record<Severity, StatusUpdateKpis>;
  /** For charts: each mitigation, and action closure month by month. */
  series: { mitigations: MitigationPoint[]; actionsByMonth: MonthlyActionClosure[] };
}

export function computeKpis(incidents: readonly KpiIncident[], options: KpiOptions): Kpis {
  const now = options.now.getTime();
  const since = options.since.getTime();
  const repeatWindowMs = options.repeatWindowMs ?? DEFAULT_REPEAT_WINDOW_MS;
  // Each instant is parsed once: at 10,000 incidents, parsing them again per figure was most of the time.
  const targets = new Map<string, number | null>();
  const all = incidents.map((incident) => parse(incident, targets));
  const counted = all.filter((parsed) => parsed.declared >= since);

  const bySeverity = perSeverity(() => 0);
  const ofSeverity = perSeverity((): Parsed[] => []);
  for (const parsed of counted) {
    bySeverity[parsed.incident.severity] += 1;
    ofSeverity[parsed.incident.severity].push(parsed);
  }

  const timings = perSeverity((severity) => {
    const parsed = ofSeverity[severity];
    return {
      detect: timingStats(parsed.map((p) => p.declared - p.detected)),
      acknowledge: timingStats(parsed.map((p) => p.acknowledged - p.declared)),
      mitigate: timingStats(parsed.map((p) => p.mitigated - p.declared)),
      resolve: timingStats(parsed.map((p) => p.resolved - p.declared)),
    };
  });

  const mitigationTargets = perSeverity((severity) => mitigationTargetStats(ofSeverity[severity], now));

  const repeats = findRepeats(all, counted, repeatWindowMs);
  const countedIncidents = counted.map((parsed) => parsed.incident);
  const actions = countedIncidents.flatMap((incident) => incident.actions);

  return {
    window: { since: options.since.toISOString(), until: options.now.toISOString() },
    incidents: {
      total: counted.length,
      open: countedIncidents.filter((incident) => incident.status !== 'closed').length,
      bySeverity,
    },
    timings,
    mitigationTargets,
    repeats: { count: repeats.length, incidents: repeats },
    actions: actionKpis(actions, now),
    obligations: obligationKpis(countedIncidents.flatMap((incident) => incident.obligations ?? [])),
    statusUpdates: statusUpdateKpis(countedIncidents),
    series: {
      mitigations: counted
        .filter((parsed) => parsed.incident.mitigatedAt !== undefined)
        .sort((a, b) => a.declared - b.declared || byId(a.incident, b.incident))
        .map(({ incident, declared, mitigated, targetMs }) => ({
          id: incident.id,
          severity: incident.severity,
          declaredAt: incident.declaredAt,
          mitigateMs: mitigated - declared,
          targetMs,
        })),
      actionsByMonth: actionsByMonth(actions, now),
    },
  };
}

/** An incident with its instants in epoch ms (NaN when absent or unreadable) and its problem keys. */
interface Parsed {
  incident: KpiIncident;
  declared: number;
  detected: number;
  acknowledged: number;
  mitigated: number;
  resolved: number;
  targetMs: number | null;
  problemKeys: string[];
}

function parse(incident: KpiIncident, targets: Map<string, number | null>): Parsed {
  const target = incident.mitigationTarget;
  let targetMs: number | null = null;
  if (target !== undefined) {
    if (!targets.has(target)) targets.set(target, parseTarget(target));
    targetMs = targets.get(target)!;
  }
  return {
    incident,
    declared: instant(incident.declaredAt),
    detected: instant(incident.detectedAt),
    acknowledged: instant(incident.acknowledgedAt),
    mitigated: instant(incident.mitigatedAt),
    resolved: instant(incident.resolvedAt),
    targetMs,
    problemKeys: problemKeys(incident),
  };
}

function actionsByMonth(actions: KpiAction[], now: number): MonthlyActionClosure[] {
  const months = new Map<string, { due: number; closedOnTime: number }>();
  for (const action of actions) {
    const known = action.status === 'closed' || (action.status === 'open' && ms(action.dueAt) < now);
    if (!known) continue;
    const month = new Date(ms(action.dueAt)).toISOString().slice(0, 7);
    const entry = months.get(month) ?? { due: 0, closedOnTime: 0 };
    entry.due += 1;
    if (action.status === 'closed' && closedInTime(action)) entry.closedOnTime += 1;
    months.set(month, entry);
  }
  return [...months]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, { due, closedOnTime }]) => ({
      month,
      due,
      closedOnTime,
      onTimeRate: due === 0 ? null : closedOnTime / due,
    }));
}

/** Nearest-rank percentile of ascending `sorted` (non-empty); p in (0, 1]. */
export function nearestRank(sorted: readonly number[], p: number): number {
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1]!;
}

/** Over the durations that are numbers (NaN: an instant missing). */
function timingStats(durations: number[]): TimingStats {
  const sorted = durations.filter((d) => !Number.isNaN(d)).sort((a, b) => a - b);
  if (sorted.length === 0) return { count: 0, medianMs: null, p90Ms: null, maxMs: null, sumMs: 0 };
  return {
    count: sorted.length,
    medianMs: nearestRank(sorted, 0.5),
    p90Ms: nearestRank(sorted, 0.9),
    maxMs: sorted[sorted.length - 1]!,
    sumMs: sorted.reduce((sum, d) => sum + d, 0),
  };
}

function mitigationTargetStats(incidents: Parsed[], now: number): MitigationTargetStats {
  let target: string | null = null;
  let targetDeclaredAt = -Infinity;
  let measured = 0;
  let breached = 0;
  for (const { incident, declared, mitigated, resolved, targetMs } of incidents) {
    if (targetMs === null) continue;
    if (declared >= targetDeclaredAt) {
      target = incident.mitigationTarget!;
      targetDeclaredAt = declared;
    }
    if (incident.mitigatedAt !== undefined) {
      measured += 1;
      if (mitigated - declared > targetMs) breached += 1;
    } else if ((incident.resolvedAt ? resolved : now) - declared > targetMs) {
      // Unmitigated: open past its target, or resolved only after it (a resolution ends the clock).
      measured += 1;
      breached += 1;
    }
  }
  return { target, measured, breached };
}

function parseTarget(target: string | undefined): number | null {
  if (target === undefined) return null;
  try {
    return durationMs(target);
  } catch {
    return null;
  }
}

/**
 * For each counted incident, the latest earlier one within the window of the same problem (the
 * smallest id among equally late ones, so that the answer does not depend on the order of `all`). Indexed by runbook and fingerprint or service, so it takes
 * n log n, not n², at thousands of incidents.
 */
function findRepeats(all: readonly Parsed[], counted: Parsed[], windowMs: number): RepeatIncident[] {
  const index = new Map<string, { at: number; id: string }[]>();
  for (const { incident, declared, problemKeys } of all) {
    if (Number.isNaN(declared)) continue;
    for (const key of problemKeys) {
      const entries = index.get(key) ?? [];
      entries.push({ at: declared, id: incident.id });
      index.set(key, entries);
    }
  }
  for (const entries of index.values()) entries.sort((a, b) => a.at - b.at || byId(a, b));

  const repeats: RepeatIncident[] = [];
  for (const { incident, declared, problemKeys } of counted) {
    let latest: { at: number; id: string } | undefined;
    for (const key of problemKeys) {
      const found = latestBefore(index.get(key)!, declared, windowMs, incident.id);
      if (found && (!latest || found.at > latest.at || (found.at === latest.at && byId(found, latest) < 0)))
        latest = found;
    }
    if (latest) repeats.push({ id: incident.id, repeatOf: latest.id });
  }
  return repeats;
}

/** The same problem is the same runbook, and the same alert fingerprint or the same service (a missing value matches nothing). */
function problemKeys(incident: KpiIncident): string[] {
  const runbook = incident.runbook?.id;
  if (runbook === undefined) return [];
  // The runbook's length first, so that no runbook and value can make another pair's key.
  const prefix = `${runbook.length}:${runbook}`;
  const keys: string[] = [];
  if (incident.fingerprint !== undefined) keys.push(`${prefix} fingerprint ${incident.fingerprint}`);
  if (incident.service !== undefined) keys.push(`${prefix} service ${incident.service}`);
  return keys;
}

/** In `entries` (by time, then id), the first of the latest ones strictly before `at` and within the window, not `id` itself. */
function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function latestBefore<T extends { at: number; id: string }>(
  entries: T[],
  at: number,
  windowMs: number,
  id: string,
): T | undefined {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (entries[mid]!.at < at) low = mid + 1;
    else high = mid;
  }
  for (let i = low - 1; i >= 0 && at - entries[i]!.at <= windowMs;) {
    let first = i;
    while (first > 0 && entries[first - 1]!.at === entries[i]!.at) first--;
    for (let j = first; j <= i; j++) if (entries[j]!.id !== id) return entries[j];
    i = first - 1;
  }
  return undefined;
}

function actionKpis(actions: KpiAction[], now: number): ActionKpis {
  let closedOnTime = 0;
  let closedLate = 0;
  let waived = 0;
  let open = 0;
  let overdue = 0;
  for (const action of actions) {
    if (action.status === 'waived') waived += 1;
    else if (action.status === 'closed') {
      if (closedInTime(action)) closedOnTime += 1;
      else closedLate += 1;
    } else {
      open += 1;
      if (ms(action.dueAt) < now) overdue += 1;
    }
  }
  const due = closedOnTime + closedLate + overdue;
  return {
    total: actions.length,
    closedOnTime,
    closedLate,
    waived,
    open,
    overdue,
    due,
    onTimeRate: due === 0 ? null : closedOnTime / due,
    target: ACTION_ON_TIME_TARGET,
  };
}

/** The workflow's verdict when it recorded one; otherwise ended no later than due (no end recorded: late). */
function closedInTime(action: KpiAction): boolean {
  if (action.onTime !== undefined) return action.onTime;
  return action.endedAt !== undefined && ms(action.endedAt) <= ms(action.dueAt);
}

function instant(iso: string | undefined): number {
  return iso === undefined ? NaN : Date.parse(iso);
}

function ms(iso: string): number {
  return Date.parse(iso);
}

function perSeverity<T>(make: (severity: Severity) => T): Record<Severity, T> {
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, make(severity)])) as Record<Severity, T>;
}
