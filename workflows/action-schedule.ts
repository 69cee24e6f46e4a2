import { durationMs } from '../runbooks/duration.js';
import type { Runbook } from '../runbooks/schema.js';

export type ReminderPolicy = Runbook['postmortem']['actionReminders'];
export type ReminderKind = 'before-due' | 'due' | 'overdue' | 'escalate-ic' | 'escalate-managers';

export interface Reminder {
  at: number;
  /** Everything due at this instant, sent as one message. */
  kinds: ReminderKind[];
}

/**
 * An open action's reminders, in order, forever: before the due date, on it, then every `overdueEvery`;
 * the IC and then the managers are added once each. Reminders at the same instant are one message.
 * Pure, so the workflow can walk it deterministically.
 */
export function* reminderSchedule(dueAt: string, policy: ReminderPolicy): Generator<Reminder> {
  const due = Date.parse(dueAt);
  const fixed = new Map<number, ReminderKind[]>();
  const add = (at: number, kind: ReminderKind) => fixed.set(at, [...(fixed.get(at) ?? []), kind]);
  for (const before of policy.before) add(due - durationMs(before), 'before-due');
  add(due, 'due');
  add(due + durationMs(policy.escalateToIcAfter), 'escalate-ic');
  add(due + durationMs(policy.escalateToManagersAfter), 'escalate-managers');

  const every = durationMs(policy.overdueEvery);
  let overdue = due + every;
  const pending = [...fixed.keys()].sort((a, b) => a - b);
  while (true) {
    const at = Math.min(pending[0] ?? Infinity, overdue);
    const kinds = [...new Set([...(fixed.get(at) ?? []), ...(at === overdue ? (['overdue'] as const) : [])])];
    if (pending[0] === at) pending.shift();
    if (at === overdue) overdue += every;
    yield { at, kinds };
  }
}
