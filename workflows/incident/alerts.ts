// The monitoring alerts of an incident's group: tallied on the timeline, and the runbook's auto-resolve.
import { condition } from '@temporalio/workflow';
import { durationMs } from '../../runbooks/duration.js';
import { SYSTEM } from '../constants.js';
import type { AlertSummary, AlertTally } from '../types.js';
import { allResolved, tallyAlerts } from './alert-tally.js';
import type { Closure } from './closure.js';
import type { Incident } from './incident.js';
import { now } from './requests.js';

/** Alerts of its group: new ones and changes go on the timeline, repeats are counted; all resolved, the IC hears. */
export function takeAlerts(incident: Incident, alerts: AlertSummary[]) {
  const { state } = incident;
  state.alerts ??= { received: 0, byFingerprint: {} };
  for (const event of tallyAlerts(state.alerts, alerts, now())) {
    incident.record(
      event.type,
      SYSTEM,
      event.message,
      event.fingerprint ? { fingerprint: event.fingerprint } : undefined,
    );
    if (event.type === 'alerts.all-resolved')
      void incident.notify(
        [`ic:${state.commander}`],
        `Alerts resolved: ${state.title}`,
        `${state.id}: ${event.message}.`,
      );
  }
}

/**
 * Alert-raised incidents whose runbook says so resolve themselves once every alert stayed resolved for
 * `quietFor`. In a continued run (`resumed`), quiet alerts count from their last notification.
 */
export async function autoResolveWhenQuiet(incident: Incident, closure: Closure, quietFor: string, resumed = false) {
  const quiet = () => incident.state.alerts !== undefined && allResolved(incident.state.alerts);
  let quietSince = resumed && quiet() ? lastNotified(incident.state.alerts!) : undefined;
  while (!incident.isResolved()) {
    await condition(() => incident.isResolved() || quiet());
    if (incident.isResolved()) return;
    const waitMs =
      quietSince === undefined ? durationMs(quietFor) : Math.max(1, quietSince + durationMs(quietFor) - Date.now());
    quietSince = undefined;
    const refired = await condition(() => incident.isResolved() || !quiet(), waitMs);
    if (!refired)
      closure.resolve(
        { actor: SYSTEM },
        `Every alert resolved and quiet for ${quietFor}: resolved by the runbook's autoResolve`,
      );
  }
}

function lastNotified(tally: AlertTally): number {
  return Math.max(...Object.values(tally.byFingerprint).map((alert) => Date.parse(alert.lastAt)));
}
