import { durationMs } from '../runbooks/duration.js';

/** A runbook's `postmortem.actionReminders`: when an open corrective action nags, and whom. */
export interface ReminderPolicy {
  before: string[];
  overdueEvery: string;
  escalateToIcAfter: string;
  escalateToManagersAfter: string;
  managers: string[];
  /** `HH:MM`, UTC. */
  digestAt: string;
}
export type ReminderKind = 'before-due' | 'due' | 'overdue' | 'escalate-ic' | 'escalate-managers';

export interface Reminder {
  at: number;
  /** Everything due at this instant, sent as one message. */
  kinds: ReminderKind[];
}

const DAY_MS = 86_400_000;

/** The runbook schema's defaults; also what incidents declared before a runbook had reminder settings use. */
export const DEFAULT_REMINDER_POLICY: ReminderPolicy = {
  before: ['3d', '1d'],
  overdueEvery: '1d',
  escalateToIcAfter: '2d',
  escalateToManagersAfter: '7d',
  managers: ['group:eng-managers'],
  digestAt: '09:00',
};

/**
 * An open action's reminders, in order, forever: before the due date, on it, then every `overdueEvery`;
 * the IC and then the managers are added once each. Each falls on its day at the digest time, so that
 * everything one person is reminded of that day goes out together. Pure: the workflow walks it.
 */
export function* reminderSchedule(dueAt: string, policy: ReminderPolicy): Generator<Reminder> {
  const onDigest = digestTime(policy.digestAt);
  const due = Date.parse(dueAt);
  const fixed = new Map<number, ReminderKind[]>();
  const add = (at: number, kind: ReminderKind) => fixed.set(onDigest(at), [...(fixed.get(onDigest(at)) ?? []), kind]);
  for (const before of policy.before) add(due - durationMs(before), 'before-due');
  add(due, 'due');
  add(due + durationMs(policy.escalateToIcAfter), 'escalate-ic');
  add(due + durationMs(policy.escalateToManagersAfter), 'escalate-managers');

  const every = durationMs(policy.overdueEvery);
  const after = (at: number) => {
    const next = onDigest(at + every);
    return next > at ? next : next + DAY_MS;
  };
  let overdue = after(onDigest(due));
  const pending = [...fixed.keys()].sort((a, b) => a - b);
  while (true) {
    const at = Math.min(pending[0] ?? Infinity, overdue);
    const kinds = [...new Set([...(fixed.get(at) ?? []), ...(at === overdue ? (['overdue'] as const) : [])])];
    if (pending[0] === at) pending.shift();
    if (at === overdue) overdue = after(overdue);
    yield { at, kinds };
  }
}

/** The instant `HH:MM` UTC on the day of a given instant. */
export function digestTime(hhmm: string): (instant: number) => number {
  const [hours, minutes] = hhmm.split(':').map(Number) as [number, number];
  return (instant) => {
    const day = new Date(instant);
    return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hours, minutes);
  };
}
