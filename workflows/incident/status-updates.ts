// The runbook's promise to stakeholders: a status update at its cadence for the current severity, counted
// since the last update (product.md §7). An update resets the clock; silence is reminded and counted.
import { deprecatePatch } from '@temporalio/workflow';
import { durationMs } from '../../runbooks/duration.js';
import { SYSTEM } from '../constants.js';
import type { UpdateCadence } from '../types.js';
import type { Incident } from './incident.js';
import { within } from './within.js';

/** The cadence of the incident's current severity, in ms (none when the runbook sets none). */
function cadenceMs(incident: Incident): number | undefined {
  const every = incident.runbook.notifications[incident.state.severity]?.statusUpdateEvery;
  return every ? durationMs(every) : undefined;
}

/**
 * When the next update is due for a window opened at `from`: the cadence after it, or the last
 * update's promised next update when that is sooner (and still after `from`).
 */
export function nextDue(incident: Incident, from: number): string | undefined {
  const every = cadenceMs(incident);
  const promised = incident.state.updates?.at(-1)?.nextUpdateAt;
  const candidates = [
    ...(every !== undefined ? [from + every] : []),
    ...(promised && Date.parse(promised) > from ? [Date.parse(promised)] : []),
  ];
  return candidates.length ? new Date(Math.min(...candidates)).toISOString() : undefined;
}

/** The cadence as kept in the state: created on first use, so incidents without one publish nothing new. */
export function cadenceOf(incident: Incident): UpdateCadence {
  return (incident.state.updateCadence ??= { onTime: 0, overdue: 0 });
}

/**
 * Counts an update just posted against the window it ends: on time when it came no later than due and
 * no window was missed since the last one. Call before the update is added to the state.
 */
export function countUpdate(incident: Incident) {
  const { state } = incident;
  if (state.statusUpdateDue === undefined && !state.updateCadence?.overdueSince) return;
  const cadence = cadenceOf(incident);
  if (cadence.overdueSince) delete cadence.overdueSince;
  else if (Date.now() <= Date.parse(state.statusUpdateDue!)) cadence.onTime++;
}

/**
 * Follows the status-update cadence until the incident is resolved. In a continued run (`resumed`), the
 * first due time and window are the ones the previous run had.
 */
export async function remindStatusUpdates(incident: Incident, resumed = false) {
  deprecatePatch('status-updates-since-last');
  const { state } = incident;
  const cadence = cadenceOf(incident); // from now on the status message shows the next update due
  const posted = () => state.updates?.length ?? 0;
  const carried = resumed ? cadence.window : undefined;
  let due = resumed ? state.statusUpdateDue : undefined;
  let from = carried ? Date.parse(carried.from) : Date.now();
  let seen = carried ? carried.updates : posted();
  let severity = carried ? carried.severity : state.severity;
  while (!incident.isResolved()) {
    // A new window: from the update just posted, or from the severity change.
    if (posted() !== seen) {
      from = Date.parse(state.updates!.at(-1)!.at);
      due = undefined;
    } else if (state.severity !== severity) {
      from = Date.now();
      due = undefined;
    }
    [seen, severity] = [posted(), state.severity];
    due ??= nextDue(incident, from);
    state.statusUpdateDue = due;
    cadence.window = { from: new Date(from).toISOString(), severity, updates: seen };
    const waitMs = due === undefined ? undefined : Math.max(1, Date.parse(due) - Date.now());
    const interrupted = await within(
      () => incident.isResolved() || state.severity !== severity || posted() !== seen,
      waitMs,
    );
    if (interrupted) continue;
    deprecatePatch('status-updates-catch-up');
    const passed = windowsPassedSince(incident, Date.parse(due!));
    await missed(incident, due!, passed);
    from = Date.parse(due!) + passed * (cadenceMs(incident) ?? 0);
    due = undefined;
  }
  state.statusUpdateDue = undefined;
}

/**
 * Whole windows that also ended after `due` before the reminder could run: none while a worker runs;
 * after the product was stopped for a night, one per cadence. They are counted as missed, in one reminder.
 */
function windowsPassedSince(incident: Incident, due: number): number {
  const every = cadenceMs(incident);
  return every ? Math.max(0, Math.floor((Date.now() - due) / every)) : 0;
}

/** No update by `due` (nor in the `passed` windows after it): recorded once, counted, and the IC reminded. */
async function missed(incident: Incident, due: string, passed: number) {
  const { state } = incident;
  const cadence = cadenceOf(incident);
  cadence.overdue += 1 + passed;
  cadence.overdueSince ??= due;
  const every = incident.runbook.notifications[state.severity]?.statusUpdateEvery;
  const last = state.updates?.at(-1);
  const since = last ? `the last update (${last.id}, ${last.at})` : `the declaration (${state.declaredAt})`;
  const meanwhile = passed
    ? ` (and ${passed} more window${passed === 1 ? '' : 's'} of ${every} passed before the reminder could run)`
    : '';
  incident.record('update.overdue', SYSTEM, `No status update since ${since}: one was due at ${due}${meanwhile}`, {
    due,
    severity: state.severity,
    ...(last ? { lastUpdate: last.id } : {}),
    ...(passed ? { windowsMissed: 1 + passed } : {}),
  });
  await incident.notify(
    [`ic:${state.commander}`],
    'Status update due',
    `${state.id} (${state.severity}) is ${state.status}: no status update since ${since}; post one now${every ? ` (every ${every})` : ''}: incident update ${state.id} "…".`,
  );
}
