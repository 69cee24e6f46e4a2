// A time of day in someone's own time zone (digests at 09:00 where they are), with the Intl API alone.
// Pure and deterministic, so workflows may use it (Date.now() there is Temporal's time).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall clock in `timeZone` at instant `t`, written as if it were UTC (ms, whole seconds). */
function wallClock(t: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const { type, value } of formatter(timeZone).formatToParts(t)) parts[type] = Number(value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/** How far `timeZone` is ahead of UTC at instant `t`, in ms. */
function offsetAt(t: number, timeZone: string): number {
  return wallClock(t, timeZone) - Math.floor(t / 1000) * 1000;
}

/** `YYYY-MM-DD` in `timeZone` at instant `t`: the person's own day. */
export function localDate(t: number, timeZone: string): string {
  return new Date(wallClock(t, timeZone)).toISOString().slice(0, 10);
}

/**
 * The first instant after `after` (ms) at which the clock in `timeZone` (IANA, such as Europe/Paris)
 * reads `hhmm`. A time the clocks skip (spring forward) is taken as the instant they jump to plus the
 * same distance, as the old offset would have it (02:30 in a 02:00→03:00 gap is 03:30); a time they
 * show twice (fall back) is its first occurrence. Throws a RangeError for an unknown zone.
 */
export function nextLocalTime(after: number, timeZone: string, hhmm = '09:00'): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!match) throw new RangeError(`time of day must be HH:MM, not "${hhmm}"`);
  const [hour, minute] = [Number(match[1]), Number(match[2])];
  const today = new Date(wallClock(after, timeZone));
  for (let day = 0; day <= 2; day++) {
    const wall = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + day, hour, minute);
    // Zones change offset at most once a day: the offsets a day either side are the candidates.
    const before = offsetAt(wall - 86_400_000, timeZone);
    const later = offsetAt(wall + 86_400_000, timeZone);
    const shown = [...new Set([wall - before, wall - later])]
      .filter((t) => wallClock(t, timeZone) === wall)
      .sort((a, b) => a - b);
    const instant = shown[0] ?? wall - before;
    if (instant > after) return instant;
  }
  throw new Error(`no ${hhmm} in ${timeZone} within two days of ${new Date(after).toISOString()}`);
}
