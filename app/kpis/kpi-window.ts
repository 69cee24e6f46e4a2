// A KPI window: from a fixed instant, or the last stretch of time before the instant the figures are
// as of (a request's now, or the projection's last refresh), so that one answer serves every request
// for the same window between two refreshes.
export type KpiWindow = { from: Date } | { lastMs: number };

/** Where `window` starts when its figures are as of `end`. */
export function kpiWindowStart(window: KpiWindow, end: Date): Date {
  return 'from' in window ? window.from : new Date(end.getTime() - window.lastMs);
}
