// When a person's reminder digest goes out: at 09:00 on their own clock (the directory's `timezone`),
// UTC when it is unknown. Pure and deterministic (runbooks/local-time.ts): the workflow's Date.now() is
// Temporal's time.
import { localDate, nextLocalTime } from '../runbooks/local-time.js';

export const DIGEST_TIME = '09:00';

/** The zone if the runtime knows it, else UTC: a typo in the directory delays nobody's reminders. */
export function digestZone(zone: string | undefined): string {
  if (!zone) return 'UTC';
  try {
    localDate(0, zone);
    return zone;
  } catch {
    return 'UTC';
  }
}

/** The person's own date at `now`: at most one digest per such day. */
export const digestDay = (now: number, zone: string) => localDate(now, zone);

/**
 * When the digest of what is pending at `now` goes out: the next 09:00 of their clock, after today's
 * if today's went out. Reminders are queued at 09:00 UTC and arrive moments apart, so a 09:00 reached
 * within `gatherMs` still counts as this one, sent once `gatherMs` has passed.
 */
export function digestSendAt(now: number, zone: string, sentToday: boolean, gatherMs: number): number {
  if (sentToday) return nextLocalTime(now, zone, DIGEST_TIME);
  return Math.max(nextLocalTime(now - gatherMs, zone, DIGEST_TIME), now + gatherMs);
}

/** Milliseconds from `now` to the start of the person's next day. */
export const untilLocalMidnight = (now: number, zone: string) => nextLocalTime(now, zone, '00:00') - now;
