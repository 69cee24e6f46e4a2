// The KPIs as a process serves them: one in-memory projection of the recent incidents
// (kpi-projection.ts), refreshed by the /metrics exporter's background loop, so that /api/kpis and
// /metrics read the same figures and a refresh costs one visibility list, whatever the request rate.
import { durationMs } from '../../runbooks/duration.js';
import type { IncidentService } from '../incident-service.js';
import { KpiProjection } from './kpi-projection.js';
import { MetricsExporter, type MetricsExporterOptions } from './metrics-exporter.js';
import { readKpis } from './read-kpis.js';

/** The window of /metrics and of /api/kpis without `since`. */
export const DEFAULT_WINDOW = '30d';
/** Projected data this many refresh intervals old (refreshes failing, or a full list taking long) is no longer served. */
const STALE_AFTER_REFRESHES = 10;
/** Every incident is listed again this often (kpi-projection.ts), in between only the changes. */
const FULL_LIST_EVERY_MS = 15 * 60_000;
/** A change is listed again by the refreshes this long after the one that should first have seen it. */
const CHANGE_OVERLAP_MS = 60_000;

export interface KpiSources {
  projection: KpiProjection;
  metrics: MetricsExporter;
}

export function kpiSources(
  service: IncidentService,
  options: Omit<MetricsExporterOptions, 'compute'> & { clock?: () => Date },
): KpiSources {
  const { clock = () => new Date(), ...exporter } = options;
  const windowMs = durationMs(DEFAULT_WINDOW);
  const projection = new KpiProjection({
    list: (since, changedSince) => service.declaredSince(since, changedSince),
    windowMs,
    maxAgeMs: STALE_AFTER_REFRESHES * options.refreshMs,
    fullEveryMs: FULL_LIST_EVERY_MS,
    overlapMs: CHANGE_OVERLAP_MS,
    clock,
  });
  const metrics = new MetricsExporter({
    ...exporter,
    compute: async () => {
      await projection.refresh();
      return readKpis(service, { lastMs: windowMs }, clock(), projection);
    },
  });
  return { projection, metrics };
}
