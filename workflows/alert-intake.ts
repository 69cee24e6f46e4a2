import {
  ParentClosePolicy,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { incidentWorkflow } from './incident.js';
import { incidentIdFrom } from './incident-id.js';
import { alertsSignal, incidentClosedSignal } from './messages.js';
import type { AlertSummary, Category, DeclareInput, Severity } from './model.js';
import { incidentStartOptions } from './search-attributes.js';

/** What the webhook decided for an alert group: the incident to open if none is open. */
export interface AlertRouting {
  runbookId: string;
  severity: Severity;
  category: Category;
  title: string;
  description: string;
  commander: string;
  /** The alert source, as the declarer (alertmanager, grafana, …). */
  declaredBy: string;
  service?: string;
}

/** Alerts of one group, as the webhook hands them over. */
export interface GroupAlerts {
  groupKey: string;
  routing: AlertRouting;
  alerts: AlertSummary[];
}

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
  /** Each alert's latest status, by fingerprint: a new alert or a change of status is forwarded at once, unpaced. */
  statuses?: Record<string, 'firing' | 'resolved'>;
}

export interface AlertIntakeInput {
  shard: string;
  groups?: Record<string, AlertGroupRecord>;
  pending?: GroupAlerts[];
}

export interface AlertGroupState {
  groupKey: string;
  incidentId?: string;
  lastIncidentId?: string;
  received: number;
}

export const alertBatchSignal = defineSignal<[{ groups: GroupAlerts[] }]>('alert-batch');
/** A group's incident, by group key. */
export const alertGroupQuery = defineQuery<AlertGroupState | undefined, [string]>('alert-group');

/** How long the intake remembers a group after its incident closed, so that a new firing is marked a repeat. */
const REPEAT_WINDOW_MS = 30 * 86_400_000;
/** Closed groups remembered per shard at most; beyond it the oldest closures are forgotten early (their next firing is not marked a repeat). */
const MAX_CLOSED_GROUPS = 2_000;
/** Continue as new at this history length even if Temporal has not suggested it: it also bounds the run's signal count. */
const MAX_HISTORY_EVENTS = 8_000;

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
  const pending = new Map<string, { routing: AlertRouting; alerts: AlertSummary[]; news?: boolean }>();
  /** Counts groups that start waiting, so the main loop recomputes when the next one is due. */
  let arrivals = 0;
  /** `counted`: alerts carried across continue-as-new, already in their group's `received`. */
  const take = (batch: GroupAlerts[], counted = false) => {
    for (const { groupKey, routing, alerts } of batch) {
      const waiting = pending.get(groupKey);
      if (!waiting) arrivals++;
      if (waiting) waiting.alerts.push(...alerts);
      const group = groups.get(groupKey) ?? { received: 0, forwards: 0 };
      if (!counted) group.received += alerts.length;
      group.statuses ??= {};
      let news = waiting?.news ?? false;
      for (const alert of alerts) {
        if (group.statuses[alert.fingerprint] !== alert.status) news = true;
        group.statuses[alert.fingerprint] = alert.status;
      }
      pending.set(groupKey, { routing, alerts: waiting?.alerts ?? [...alerts], ...(news || counted ? { news: true } : {}) });
      groups.set(groupKey, group);
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
    return { groupKey, received: group.received, ...(group.incidentId ? { incidentId: group.incidentId } : {}), ...(group.lastIncidentId ? { lastIncidentId: group.lastIncidentId } : {}) };
  });

  /** Milliseconds until this group's pending alerts may go: 0 when they should go now, undefined when none wait. */
  const dueIn = (groupKey: string): number | undefined => {
    const waiting = pending.get(groupKey);
    if (!waiting) return undefined;
    const group = groups.get(groupKey)!;
    if (!group.incidentId || group.lastForwardAt === undefined || waiting.news) return 0;
    return Math.max(0, group.lastForwardAt + forwardInterval(group.forwards) - Date.now());
  };
  const shouldContinueAsNew = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= MAX_HISTORY_EVENTS;

  for (;;) {
    const waits = [...pending.keys()].map(dueIn).filter((ms): ms is number => ms !== undefined);
    for (const group of groups.values()) if (!group.incidentId && group.closedAt !== undefined) waits.push(group.closedAt + REPEAT_WINDOW_MS - Date.now());
    const seen = arrivals;
    const due = () => [...pending.keys()].some((key) => dueIn(key) === 0) || shouldContinueAsNew();
    if (!due()) {
      const wake = () => due() || arrivals !== seen;
      if (waits.length) await condition(wake, Math.max(1, Math.min(...waits)));
      else await condition(wake);
    }

    await Promise.all([...pending.keys()].filter((key) => dueIn(key) === 0).map((key) => deliver(key)));
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

  /** Sends a group's pending alerts to its open incident, or opens one with them. */
  async function deliver(groupKey: string): Promise<void> {
    const { routing, alerts } = pending.get(groupKey)!;
    pending.delete(groupKey);
    const group = groups.get(groupKey)!;
    if (group.incidentId) {
      const incidentId = group.incidentId;
      group.forwards++;
      group.lastForwardAt = Date.now();
      if (await forward(incidentId, alerts)) return;
      closed(group, incidentId); // its workflow has ended (its undo window too): the alerts need a new incident
    }
    group.incidentId = await openIncident(groupKey, routing, alerts, group.lastIncidentId);
    group.forwards = 0;
    delete group.lastForwardAt;
  }

  function closed(group: AlertGroupRecord, incidentId: string): void {
    if (group.incidentId !== incidentId) return;
    delete group.incidentId;
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

/** False when the incident's workflow has ended. */
async function forward(incidentId: string, alerts: AlertSummary[]): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(incidentId).signal(alertsSignal, { alerts });
    return true;
  } catch {
    return false;
  }
}

async function openIncident(groupKey: string, routing: AlertRouting, alerts: AlertSummary[], repeatOf: string | undefined): Promise<string> {
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
    };
    try {
      await startChild(incidentWorkflow, {
        ...incidentStartOptions(input),
        args: [input],
        // The incident outlives this workflow's continue-as-new and its end.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      return input.id;
    } catch (err) {
      // 32^5 ids: a clash is rare, and a fresh id settles it.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
}
