import { durationMs } from '../runbooks/duration.js';
import { nextLocalTime } from '../runbooks/local-time.js';
import type { ReminderPolicy } from '../runbooks/reminder-policy.js';
import { DAY_MS } from './constants.js';

const HOUR_MS = 3_600_000;

export type ReminderKind = 'before-due' | 'due' | 'overdue' | 'escalate-ic' | 'escalate-managers';

export interface Reminder {
  at: number;
  /** Everything due at this instant, sent as one message. */
  kinds: ReminderKind[];
}

/**
 * An open action's reminders, in order, forever. Reminders fall on digest times (`digestAt`, daily, on
 * the owner's clock when `zone` is given, else UTC), so that everything one person hears of in a day goes
 * out together: a reminder before the due date at the last digest time not after its instant; overdue
 * reminders and escalations at the first one not before theirs (never early); overdue reminders then
 * every `overdueEvery`, in whole days. Pure: the workflow walks it.
 */
export function* reminderSchedule(dueAt: string, policy: ReminderPolicy, zone?: string): Generator<Reminder> {
  const { atOrBefore, atOrAfter } = zone ? localDigestTimes(policy.digestAt, zone) : digestTimes(policy.digestAt);
  const due = Date.parse(dueAt);
  const fixed = new Map<number, ReminderKind[]>();
  const add = (at: number, kind: ReminderKind) => fixed.set(at, [...(fixed.get(at) ?? []), kind]);
  for (const before of policy.before) add(atOrBefore(due - durationMs(before)), 'before-due');
  add(atOrBefore(due), 'due');
  add(atOrAfter(due + durationMs(policy.escalateToIcAfter)), 'escalate-ic');
  add(atOrAfter(due + durationMs(policy.escalateToManagersAfter)), 'escalate-managers');

  const every = Math.max(1, Math.ceil(durationMs(policy.overdueEvery) / DAY_MS)) * DAY_MS;
  let overdue = atOrAfter(due + 1);
  const pending = [...fixed.keys()].sort((a, b) => a - b);
  while (true) {
    const at = Math.min(pending[0] ?? Infinity, overdue);
    const kinds = [...new Set([...(fixed.get(at) ?? []), ...(at === overdue ? (['overdue'] as const) : [])])];
    if (pending[0] === at) pending.shift();
    // The same time of day `every` later: a day on a zone's clock is 23 or 25 hours across a DST change.
    if (at === overdue) overdue = zone ? atOrAfter(overdue + every - 3 * HOUR_MS) : overdue + every;
    yield { at, kinds };
  }
}

/** The digest times (`HH:MM` UTC, every day) nearest an instant, on either side. */
export function digestTimes(hhmm: string): {
  atOrBefore: (instant: number) => number;
  atOrAfter: (instant: number) => number;
} {
  const [hours, minutes] = hhmm.split(':').map(Number) as [number, number];
  const onDayOf = (instant: number) => {
    const day = new Date(instant);
    return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hours, minutes);
  };
  return {
    atOrBefore: (instant) => (onDayOf(instant) <= instant ? onDayOf(instant) : onDayOf(instant) - DAY_MS),
    atOrAfter: (instant) => (onDayOf(instant) >= instant ? onDayOf(instant) : onDayOf(instant) + DAY_MS),
  };
}

/** The same on the clock of `zone` (IANA): for an owner east of UTC, 09:00 may be the previous UTC day. */
export function localDigestTimes(hhmm: string, zone: string): ReturnType<typeof digestTimes> {
  const atOrAfter = (instant: number) => nextLocalTime(instant - 1, zone, hhmm);
  return {
    atOrBefore: (instant) => {
      let at = atOrAfter(instant - 2 * DAY_MS);
      for (let later = nextLocalTime(at, zone, hhmm); later <= instant; later = nextLocalTime(at, zone, hhmm))
        at = later;
      return at;
    },
    atOrAfter,
  };
}
