// The runbook's promise to stakeholders: a status update at its cadence for the current severity.
import { durationMs } from '../../runbooks/duration.js';
import type { Incident } from './incident.js';
import { within } from './within.js';

/**
 * Reminds the IC to post a status update at the runbook's cadence for the current severity. In a
 * continued run (`resumed`), the first reminder comes when the previous run had it due.
 */
export async function remindStatusUpdates(incident: Incident, resumed = false) {
  const { state } = incident;
  let resumeAt = resumed ? state.statusUpdateDue : undefined;
  while (!incident.isResolved()) {
    const severity = state.severity;
    const every = incident.runbook.notifications[severity]?.statusUpdateEvery;
    let waitMs = every ? durationMs(every) : undefined;
    if (resumeAt !== undefined && waitMs !== undefined) waitMs = Math.max(1, Date.parse(resumeAt) - Date.now());
    resumeAt = undefined;
    state.statusUpdateDue = waitMs === undefined ? undefined : new Date(Date.now() + waitMs).toISOString();
    const interrupted = await within(() => incident.isResolved() || state.severity !== severity, waitMs);
    if (interrupted) continue;
    await incident.notify(
      [`ic:${state.commander}`],
      'Status update due',
      `${state.id} (${state.severity}) is ${state.status}: post a status update (every ${every}).`,
    );
  }
  state.statusUpdateDue = undefined;
}
