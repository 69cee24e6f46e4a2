// The runbook's promise to stakeholders: a status update at its cadence for the current severity.
import { durationMs } from '../../runbooks/duration.js';
import type { Incident } from './incident.js';
import { within } from './within.js';

/** Reminds the IC to post a status update at the runbook's cadence for the current severity. */
export async function remindStatusUpdates(incident: Incident) {
  const { state } = incident;
  while (!incident.isResolved()) {
    const severity = state.severity;
    const every = incident.runbook.notifications[severity]?.statusUpdateEvery;
    const interrupted = await within(
      () => incident.isResolved() || state.severity !== severity,
      every ? durationMs(every) : undefined,
    );
    if (interrupted) continue;
    await incident.notify(
      [`ic:${state.commander}`],
      'Status update due',
      `${state.id} (${state.severity}) is ${state.status}: post a status update (every ${every}).`,
    );
  }
}
