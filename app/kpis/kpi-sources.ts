// The KPIs as a process serves them: one in-memory projection of the recent incidents
// (kpi-projection.ts), refreshed by the /metrics exporter's background loop, so that /api/kpis and
// /metrics read the same figures and a refresh costs one visibility list, whatever the request rate.
// The product keeps the projection in a worker thread of its own (kpi-thread-host.ts); without
// `thread` it is kept on this one.
import { durationMs } from '../../runbooks/duration.js';
import type { IncidentService } from '../incident-service.js';
import type { TemporalTarget } from '../temporal/temporal-connection.js';
import { projectionAnswers, type KpiAnswers } from './kpi-answers.js';
import { KpiProjection, type KpiProjectionOptions } from './kpi-projection.js';
import { KpiThread } from './kpi-thread-host.js';
import { MetricsExporter, type MetricsExporterOptions } from './metrics-exporter.js';
import { readKpiText } from './read-kpis.js';

/** The window of /metrics and of /api/kpis without `since`. */
export const DEFAULT_WINDOW = '30d';
/** Projected data this many refresh intervals old (refreshes failing, or a full list taking long) is no longer served. */
const STALE_AFTER_REFRESHES = 10;
/** Every incident is listed again this often (kpi-projection.ts), in between only the changes. */
const FULL_LIST_EVERY_MS = 15 * 60_000;
/** A change is listed again by the refreshes this long after the one that should first have seen it. */
const CHANGE_OVERLAP_MS = 60_000;

export interface KpiSources {
  answers: KpiAnswers;
  metrics: MetricsExporter;
}

export interface KpiSourceOptions extends Omit<MetricsExporterOptions, 'compute'> {
  clock?: () => Date;
  /** Keep the projection in a worker thread, whose own client connects to this Temporal (undefined: the environment's cluster). */
  thread?: { temporal: TemporalTarget | undefined };
}

export function kpiSources(service: IncidentService, options: KpiSourceOptions): KpiSources {
  const { clock = () => new Date(), thread, ...exporter } = options;
  const windowMs = durationMs(DEFAULT_WINDOW);
  const projection: Omit<KpiProjectionOptions, 'list' | 'clock'> = {
    windowMs,
    maxAgeMs: STALE_AFTER_REFRESHES * options.refreshMs,
    fullEveryMs: FULL_LIST_EVERY_MS,
    overlapMs: CHANGE_OVERLAP_MS,
  };
  const answers = thread
    ? new KpiThread({ temporal: thread.temporal, projection }, (err) => options.onError?.(err))
    : projectionAnswers(
        new KpiProjection({
          ...projection,
          list: (since, changedSince) => service.declaredSince(since, changedSince),
          clock,
        }),
      );
  const metrics = new MetricsExporter({
    ...exporter,
    compute: async () => {
      await answers.refresh();
      return readKpiText(service, { lastMs: windowMs }, clock(), 'prometheus', answers);
    },
  });
  return { answers, metrics };
}
