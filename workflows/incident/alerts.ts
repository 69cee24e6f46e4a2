// The monitoring alerts of an incident's group: tallied on the timeline, and the runbook's auto-resolve.
import { condition } from '@temporalio/workflow';
import { durationMs } from '../../runbooks/duration.js';
import { SYSTEM } from '../constants.js';
import type { AlertSummary } from '../types.js';
import { allResolved, tallyAlerts } from './alert-tally.js';
import type { Closure } from './closure.js';
import { now, type Incident } from './incident.js';

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

/** Alert-raised incidents whose runbook says so resolve themselves once every alert stayed resolved for `quietFor`. */
export async function autoResolveWhenQuiet(incident: Incident, closure: Closure, quietFor: string) {
  const quiet = () => incident.state.alerts !== undefined && allResolved(incident.state.alerts);
  while (!incident.isResolved()) {
    await condition(() => incident.isResolved() || quiet());
    if (incident.isResolved()) return;
    const refired = await condition(() => incident.isResolved() || !quiet(), durationMs(quietFor));
    if (!refired)
      closure.resolve(
        { actor: SYSTEM },
        `Every alert resolved and quiet for ${quietFor}: resolved by the runbook's autoResolve`,
      );
  }
}
