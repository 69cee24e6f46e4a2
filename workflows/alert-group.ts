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

export interface AlertGroupInput {
  groupKey: string;
  /** The open incident of this group, carried across continue-as-new. */
  incidentId?: string;
  /** The group's last incident that closed: a new one is its repeat. */
  lastIncidentId?: string;
  routing?: AlertRouting;
  pending?: AlertSummary[];
}

export interface AlertGroupState {
  groupKey: string;
  incidentId?: string;
  lastIncidentId?: string;
  /** Alert notifications received by this run. */
  received: number;
}

export const alertBatchSignal = defineSignal<[{ alerts: AlertSummary[]; routing: AlertRouting }]>('alert-batch');
export const alertGroupQuery = defineQuery<AlertGroupState>('alert-group');

/** How long a group waits for another firing after its incident closed, so that one is marked a repeat. */
const REPEAT_WINDOW = '30 days';

/**
 * One workflow per alert group (its id derives from the group key; webhooks signal-with-start it), so an
 * alert storm opens exactly one incident: the first batch starts the incident, later batches join it.
 * Alerts that arrive together are forwarded together, so the incident's history grows with batches,
 * not with alerts, and this workflow continues as new when Temporal suggests it.
 */
export async function alertGroupWorkflow(input: AlertGroupInput): Promise<void> {
  const state: AlertGroupState = {
    groupKey: input.groupKey,
    received: 0,
    ...(input.incidentId ? { incidentId: input.incidentId } : {}),
    ...(input.lastIncidentId ? { lastIncidentId: input.lastIncidentId } : {}),
  };
  const pending: AlertSummary[] = [...(input.pending ?? [])];
  let routing = input.routing;

  setHandler(alertBatchSignal, (batch) => {
    pending.push(...batch.alerts);
    routing = batch.routing;
    state.received++;
  });
  setHandler(incidentClosedSignal, ({ incidentId }) => {
    if (incidentId !== state.incidentId) return;
    state.lastIncidentId = incidentId;
    delete state.incidentId;
  });
  setHandler(alertGroupQuery, () => state);

  for (;;) {
    const work = () => pending.length > 0 || workflowInfo().continueAsNewSuggested;
    const more = state.incidentId ? (await condition(work), true) : await condition(work, REPEAT_WINDOW);
    if (!more && pending.length === 0) return; // quiet since its incident closed: the group is done
    if (pending.length > 0) {
      const batch = pending.splice(0, pending.length);
      if (!state.incidentId || !(await forward(state.incidentId, batch))) {
        if (state.incidentId) state.lastIncidentId = state.incidentId;
        state.incidentId = await openIncident(routing!, batch, state);
      }
    }
    if (workflowInfo().continueAsNewSuggested && pending.length === 0) {
      await continueAsNew<typeof alertGroupWorkflow>({
        groupKey: state.groupKey,
        ...(state.incidentId ? { incidentId: state.incidentId } : {}),
        ...(state.lastIncidentId ? { lastIncidentId: state.lastIncidentId } : {}),
        ...(routing ? { routing } : {}),
      });
    }
  }
}

/** False when the incident's workflow has ended (its undo window too): the alerts need a new incident. */
async function forward(incidentId: string, alerts: AlertSummary[]): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(incidentId).signal(alertsSignal, { alerts });
    return true;
  } catch {
    return false;
  }
}

async function openIncident(routing: AlertRouting, alerts: AlertSummary[], state: AlertGroupState): Promise<string> {
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
      fingerprint: state.groupKey,
      alerts,
      alertGroup: workflowInfo().workflowId,
      ...(startsAt ? { detectedAt: startsAt } : {}),
      ...(routing.service ? { service: routing.service } : {}),
      ...(state.lastIncidentId ? { repeatOf: state.lastIncidentId } : {}),
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
