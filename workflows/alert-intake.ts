import {
  condition,
  continueAsNew,
  deprecatePatch,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { incidentIdFrom } from './incident-id.js';
import {
  alertBatchSignal,
  alertGroupQuery,
  alertsSignal,
  incidentClosedSignal,
  type AlertRouting,
  type GroupAlerts,
} from './messages.js';
import type { AlertSummary, DeclareInput } from './types.js';
import { ACTIVITY_OPTIONS, DAY_MS } from './constants.js';
import type { IncidentActivities } from '../activities/index.js';

/** What the intake keeps of a group between alerts. */
export interface AlertGroupRecord {
  /** Its open incident. */
  incidentId?: string;
  /** Its last incident that closed, and when (epoch ms): a new firing within REPEAT_WINDOW is its repeat. */
  lastIncidentId?: string;
  closedAt?: number;
  /** Alert notifications of this group received by the intake. */
  received: number;
  /** Forwards to the open incident so far, and the last one's time: they set the pace of the next. */
  forwards: number;
  lastForwardAt?: number;
  /** Opening its incident failed: not tried again before this (epoch ms). */
  retryAt?: number;
  /** Each alert's latest status, by fingerprint: a new alert or a change of status is forwarded at once, unpaced. */
  statuses?: Record<string, 'firing' | 'resolved'>;
}

export interface AlertIntakeInput {
  shard: string;
  groups?: Record<string, AlertGroupRecord>;
  pending?: GroupAlerts[];
}

/** How long the intake remembers a group after its incident closed, so that a new firing is marked a repeat. */
const REPEAT_WINDOW_MS = 30 * DAY_MS;
/** Closed groups remembered per shard at most; beyond it the oldest closures are forgotten early (their next firing is not marked a repeat). */
const MAX_CLOSED_GROUPS = 2_000;
/** How long a group whose incident could not be opened waits before the next try. */
const OPEN_RETRY_MS = 10_000;
/** Continue as new at this history length even if Temporal has not suggested it: it also bounds the run's signal count. */
const MAX_HISTORY_EVENTS = 8_000;
/** Groups delivered (forwarded or opened) at once: far below Temporal's 2,000 pending activities or signals. */
const MAX_DELIVERIES = 100;

const activities = proxyActivities<Pick<IncidentActivities, 'startIncident'>>(ACTIVITY_OPTIONS);

/**
 * Repeats (an alert firing again that already fires, or resolved again) reach an open incident at most
 * every five seconds for its first five minutes of forwards, then every thirty: whatever arrived in
 * between goes as one batch, so a storm costs the incident a bounded number of history events (and
 * signals) whatever its alert rate. A new alert or a change of status goes at once, with whatever waits.
 */
export function forwardInterval(forwards: number): number {
  return forwards < 60 ? 5_000 : 30_000;
}

/**
 * The alert intake for one shard of group keys (its id derives from the key: see app/alerts/routing.ts;
 * webhooks signal-with-start it). Its signals are handled one at a time, so an alert storm opens exactly
 * one incident per group: the first alerts of a group start the incident, later ones join it, a firing
 * after the incident closed opens a new one marked a repeat. Many groups share a shard so that the webhook
 * can hand over the alerts of concurrent requests in one signal: Temporal's work then grows with batches,
 * not with alerts.
 */
export async function alertIntakeWorkflow(input: AlertIntakeInput): Promise<void> {
  const groups = new Map(Object.entries(input.groups ?? {}));
  const pending = new Map<string, Waiting>();

  /** `counted`: alerts carried across continue-as-new, already in their group's `received`, sent at once. */
  const take = (batch: GroupAlerts[], counted = false) => {
    for (const { groupKey, routing, alerts } of batch) {
      const group = groups.get(groupKey) ?? { received: 0, forwards: 0 };
      groups.set(groupKey, group);
      const waiting = pending.get(groupKey) ?? { routing, alerts: [], latest: new Map(), news: counted };
      waiting.routing = routing;
      pending.set(groupKey, waiting);
      group.statuses ??= {};
      for (const alert of alerts) {
        if (!counted) group.received += alert.count ?? 1;
        if (group.statuses[alert.fingerprint] !== alert.status) waiting.news = true;
        group.statuses[alert.fingerprint] = alert.status;
        append(waiting, alert);
      }
    }
  };
  take(input.pending ?? [], true);

  setHandler(alertBatchSignal, ({ groups: batch }) => take(batch));
  setHandler(incidentClosedSignal, ({ incidentId }) => {
    for (const group of groups.values()) if (group.incidentId === incidentId) closed(group, incidentId);
  });
  setHandler(alertGroupQuery, (groupKey) => {
    const group = groups.get(groupKey);
    if (!group) return undefined;
    return {
      groupKey,
      received: group.received,
      ...(group.incidentId ? { incidentId: group.incidentId } : {}),
      ...(group.lastIncidentId ? { lastIncidentId: group.lastIncidentId } : {}),
    };
  });

  /** When this group's waiting alerts may go (epoch ms; now or earlier: at once), undefined when none wait. */
  const dueAt = (groupKey: string): number | undefined => {
    const waiting = pending.get(groupKey);
    if (!waiting) return undefined;
    const group = groups.get(groupKey)!;
    if (group.retryAt !== undefined) return group.retryAt;
    if (!group.incidentId || group.lastForwardAt === undefined || waiting.news) return Date.now();
    return group.lastForwardAt + forwardInterval(group.forwards);
  };
  const isDue = (groupKey: string) => (dueAt(groupKey) ?? Infinity) <= Date.now();
  /** The next moment there is something to do: alerts to send, or a closed group to forget. */
  const nextWorkAt = (): number => {
    let next = Infinity;
    for (const groupKey of pending.keys()) next = Math.min(next, dueAt(groupKey)!);
    for (const group of groups.values())
      if (!group.incidentId && group.closedAt !== undefined) next = Math.min(next, group.closedAt + REPEAT_WINDOW_MS);
    return next;
  };
  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= MAX_HISTORY_EVENTS;

  for (;;) {
    const workAt = nextWorkAt();
    if (workAt > Date.now() && !shouldContinueAsNew()) {
      // Woken early only by something due sooner (alerts that must go at once, a closure), not by every repeat.
      const sooner = () => nextWorkAt() < workAt || shouldContinueAsNew();
      if (workAt === Infinity) await condition(sooner);
      else await condition(sooner, workAt - Date.now());
    }

    // At most MAX_DELIVERIES at a time: the rest stay due, and go in the next round at once.
    deprecatePatch('open-by-activity');
    await Promise.all(
      [...pending.keys()]
        .filter(isDue)
        .slice(0, MAX_DELIVERIES)
        .map((key) => deliver(key)),
    );
    forgetQuietGroups();
    if (groups.size === 0 && pending.size === 0) return; // nothing open, nothing to remember: a new alert starts a new run
    if (shouldContinueAsNew()) {
      await continueAsNew<typeof alertIntakeWorkflow>({
        shard: input.shard,
        groups: Object.fromEntries(groups),
        pending: [...pending].map(([groupKey, { routing, alerts }]) => ({ groupKey, routing, alerts })),
      });
    }
  }

  /** Sends a group's waiting alerts to its open incident, or opens one with them. */
  async function deliver(groupKey: string): Promise<void> {
    const waiting = pending.get(groupKey)!;
    pending.delete(groupKey);
    const group = groups.get(groupKey)!;
    try {
      if (group.incidentId) {
        const incidentId = group.incidentId;
        group.forwards++;
        group.lastForwardAt = Date.now();
        if (await forward(incidentId, waiting.alerts)) return;
        closed(group, incidentId); // its workflow has ended (its undo window too): the alerts need a new incident
      }
      group.incidentId = await openIncident(groupKey, waiting.routing, waiting.alerts, group.lastIncidentId);
      group.forwards = 0;
      delete group.lastForwardAt;
      delete group.retryAt;
    } catch (err) {
      if (isCancellation(err)) throw err;
      // This group's alerts go back, ahead of any that came meanwhile, and are tried again later; the
      // shard's other groups go on.
      log.warn('Could not open an incident for an alert group; retrying', { groupKey, error: (err as Error).message });
      const later = pending.get(groupKey);
      pending.set(groupKey, waiting);
      for (const alert of later?.alerts ?? []) append(waiting, alert);
      waiting.news ||= later?.news ?? false;
      group.retryAt = Date.now() + OPEN_RETRY_MS;
    }
  }

  function closed(group: AlertGroupRecord, incidentId: string): void {
    if (group.incidentId !== incidentId) return;
    delete group.incidentId;
    delete group.statuses; // the next incident announces every alert afresh
    group.lastIncidentId = incidentId;
    group.closedAt = Date.now();
  }

  function forgetQuietGroups(): void {
    const closedGroups = [...groups].filter(([groupKey, group]) => !group.incidentId && !pending.has(groupKey));
    const expired = (group: AlertGroupRecord) => (group.closedAt ?? 0) + REPEAT_WINDOW_MS <= Date.now();
    for (const [groupKey, group] of closedGroups) if (expired(group)) groups.delete(groupKey);
    const kept = closedGroups.filter(([, group]) => !expired(group));
    if (kept.length <= MAX_CLOSED_GROUPS) return;
    kept.sort(([, a], [, b]) => a.closedAt! - b.closedAt!);
    for (const [groupKey] of kept.slice(0, kept.length - MAX_CLOSED_GROUPS)) groups.delete(groupKey);
  }
}

/** A group's alerts waiting to go. */
interface Waiting {
  routing: AlertRouting;
  alerts: AlertSummary[];
  /** Each fingerprint's last entry in `alerts`: a repeat of the same status is counted there, not appended. */
  latest: Map<string, AlertSummary>;
  /** A new alert or a change of status is among them: they go at once. */
  news: boolean;
}

/** Appends an alert, or counts it into the same alert's last entry when its status has not changed since. */
function append(waiting: Waiting, alert: AlertSummary): void {
  const last = waiting.latest.get(alert.fingerprint);
  if (last && last.status === alert.status) {
    last.count = (last.count ?? 1) + (alert.count ?? 1);
    return;
  }
  const entry = { ...alert };
  waiting.alerts.push(entry);
  waiting.latest.set(alert.fingerprint, entry);
}

/** False when the incident's workflow has ended. */
async function forward(incidentId: string, alerts: AlertSummary[]): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(incidentId).signal(alertsSignal, { alerts });
    return true;
  } catch {
    return false;
  }
}

async function openIncident(
  groupKey: string,
  routing: AlertRouting,
  alerts: AlertSummary[],
  repeatOf: string | undefined,
): Promise<string> {
  const startsAt = alerts.map((a) => a.startsAt).sort()[0];
  for (;;) {
    const input: DeclareInput = {
      id: incidentIdFrom(Math.random), // deterministic in a workflow: seeded by Temporal
      title: routing.title,
      category: routing.category,
      severity: routing.severity,
      description: routing.description,
      commander: routing.commander,
      declaredBy: routing.declaredBy,
      runbookId: routing.runbookId,
      fingerprint: groupKey,
      alerts,
      alertGroup: workflowInfo().workflowId,
      ...(startsAt ? { detectedAt: startsAt } : {}),
      ...(routing.service ? { service: routing.service } : {}),
      ...(repeatOf ? { repeatOf } : {}),
      // Only when there are some: the inputs of stored histories stay as they were.
      ...(routing.warnings?.length ? { warnings: routing.warnings } : {}),
      ...(routing.severityFrom ? { severityFrom: routing.severityFrom } : {}),
      declaredVia: 'webhook',
    };
    // 32^5 ids: a clash is rare, and a fresh id settles it.
    deprecatePatch('open-by-activity');
    if ((await activities.startIncident(input)) === 'started') return input.id;
  }
}
