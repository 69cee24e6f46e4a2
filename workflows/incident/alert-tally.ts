// How an incident keeps its alerts: one entry per fingerprint, repeats counted, firsts and changes told. Pure.
import type { AlertSummary, AlertTally } from '../types.js';

export interface AlertEvent {
  type: 'alert.firing' | 'alert.resolved' | 'alerts.all-resolved';
  message: string;
  fingerprint?: string;
}

/** Adds `alerts` to `tally` (in place) and returns what the timeline should say: nothing for a repeat. */
export function tallyAlerts(tally: AlertTally, alerts: AlertSummary[], at: string): AlertEvent[] {
  const events: AlertEvent[] = [];
  const wasAllResolved = allResolved(tally);
  for (const alert of alerts) {
    const notifications = alert.count ?? 1;
    tally.received += notifications;
    const known = tally.byFingerprint[alert.fingerprint];
    if (!known) {
      tally.byFingerprint[alert.fingerprint] = {
        title: alert.title,
        status: alert.status,
        firstAt: alert.startsAt,
        lastAt: at,
        count: notifications,
        ...(alert.url ? { url: alert.url } : {}),
      };
      events.push(
        alert.status === 'firing'
          ? {
              type: 'alert.firing',
              fingerprint: alert.fingerprint,
              message: `Alert firing since ${alert.startsAt}: ${alert.title}`,
            }
          : {
              type: 'alert.resolved',
              fingerprint: alert.fingerprint,
              message: `Alert resolved${alert.endsAt ? ` at ${alert.endsAt}` : ''}: ${alert.title}`,
            },
      );
      continue;
    }
    known.count += notifications;
    known.lastAt = at;
    if (known.status === alert.status) continue; // a repeat: counted, not announced
    known.status = alert.status;
    events.push(
      alert.status === 'firing'
        ? { type: 'alert.firing', fingerprint: alert.fingerprint, message: `Alert firing again: ${alert.title}` }
        : {
            type: 'alert.resolved',
            fingerprint: alert.fingerprint,
            message: `Alert resolved${alert.endsAt ? ` at ${alert.endsAt}` : ''}: ${alert.title} (${known.count} notifications)`,
          },
    );
  }
  if (!wasAllResolved && allResolved(tally)) {
    const n = Object.keys(tally.byFingerprint).length;
    events.push({
      type: 'alerts.all-resolved',
      message: `All ${n} alert${n === 1 ? '' : 's'} resolved (${tally.received} notifications in all); the IC may resolve the incident`,
    });
  }
  return events;
}

export function allResolved(tally: AlertTally): boolean {
  const entries = Object.values(tally.byFingerprint);
  return entries.length > 0 && entries.every((e) => e.status === 'resolved');
}
