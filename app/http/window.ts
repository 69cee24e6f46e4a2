// The start of a window back from now, as `since` gives it (the KPIs, the incident list).
import { durationMs, durationPattern } from '../../runbooks/duration.js';
import { kpiWindowStart, type KpiWindow } from '../kpis/kpi-window.js';
import { HttpError } from './json.js';

const LONGEST_WINDOW_MS = 10 * 365 * 86_400_000;

/** `30d`, `12h` … back from now, or an ISO date or date-time. */
export function windowStart(value: string, now: Date): Date {
  return kpiWindowStart(parseWindow(value, now), now);
}

/** `since` checked against now: `30d`, `12h` … (the last so long), or an ISO date or date-time (from then). */
export function parseWindow(value: string, now: Date): KpiWindow {
  if (durationPattern.test(value)) {
    if (durationMs(value) > LONGEST_WINDOW_MS)
      throw new HttpError(400, `since ${value} reaches back more than ten years`, [
        { field: 'since', message: 'at most ten years' },
      ]);
    return { lastMs: durationMs(value) };
  }
  const at = Date.parse(value);
  if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new HttpError(400, `since must be a duration such as 30d or 12h, or an ISO date; got "${value}"`, [
      { field: 'since', message: 'a duration such as 30d, or an ISO date' },
    ]);
  }
  if (at < now.getTime() - LONGEST_WINDOW_MS)
    throw new HttpError(400, `since ${value} reaches back more than ten years`, [
      { field: 'since', message: 'at most ten years' },
    ]);
  if (at > now.getTime())
    throw new HttpError(400, `since ${value} is in the future`, [{ field: 'since', message: 'must be in the past' }]);
  return { from: new Date(at) };
}
