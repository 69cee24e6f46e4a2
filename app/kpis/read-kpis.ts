// The KPIs of a window, from the incidents' read summaries in visibility (no query of any incident
// that has published one): from the in-memory projection when it holds the window (as of its last
// refresh), else listed for the request (as of now).
import type { IncidentService } from '../incident-service.js';
import { renderKpis, type KpiAnswers, type KpiFormat, type KpiText } from './kpi-answers.js';
import { computeKpis, DEFAULT_REPEAT_WINDOW_MS, type Kpis } from './compute.js';
import type { KpiProjection } from './kpi-projection.js';
import { kpiWindowStart, type KpiWindow } from './kpi-window.js';

export interface WindowKpis {
  kpis: Kpis;
  /** Incidents whose state could not be read (left out). */
  unreadable: string[];
  /** Incidents read in all, the repeat look-back included. */
  read: number;
  /** Of those, how many had no read summary and were queried (incidents from before the read side). */
  queried: number;
  /** When the incidents were read, and the instant the figures are as of (the window's end): the projection's last refresh, or now. */
  asOf: Date;
}

export async function readKpis(
  service: IncidentService,
  window: KpiWindow,
  now: Date,
  projection?: KpiProjection,
): Promise<WindowKpis> {
  const projected = projection?.kpis(window, now);
  if (projected) return projected;
  const since = kpiWindowStart(window, now);
  // Incidents a little older than the window are read too: a counted incident may repeat one of them.
  const { incidents, unreadable, queried } = await service.declaredSince(
    new Date(since.getTime() - DEFAULT_REPEAT_WINDOW_MS),
  );
  return {
    kpis: computeKpis(incidents, { now, since }),
    unreadable,
    read: incidents.length,
    queried: queried.length,
    asOf: now,
  };
}

/** The window rendered as `format`: from the projection's answers when they hold it, else listed for the request. */
export async function readKpiText(
  service: IncidentService,
  window: KpiWindow,
  now: Date,
  format: KpiFormat,
  answers?: KpiAnswers,
): Promise<KpiText> {
  // A thread that failed mid-request is no reason to fail the request: it is listed instead.
  const projected = await answers?.text(window, now, format).catch(() => undefined);
  if (projected) return projected;
  const answer = await readKpis(service, window, now);
  return { text: renderKpis(answer, format), read: answer.read, queried: answer.queried };
}
