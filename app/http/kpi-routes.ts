import type { IncidentService } from '../incident-service.js';
import { DEFAULT_WINDOW, kpiSources, type KpiSources } from '../kpis/kpi-sources.js';
import type { KpiFormat } from '../kpis/kpi-answers.js';
import { PROMETHEUS_CONTENT_TYPE } from '../kpis/prometheus.js';
import { readKpiText } from '../kpis/read-kpis.js';
import { JSON_CONTENT_TYPE, parseQuery } from './json.js';
import type { Route } from './router.js';
import { kpiQuery } from './schemas.js';
import { call } from './service-call.js';
import { parseWindow } from './window.js';

/** How often /metrics' figures are recomputed when the caller gives no exporter of its own. */
const DEFAULT_REFRESH_MS = 15_000;

export interface KpiRouteOptions {
  clock?: () => Date;
  /**
   * The process's projection and /metrics exporter (started by the caller). Without them, /metrics
   * refreshes on scrape and /api/kpis lists visibility for each request.
   */
  kpis?: KpiSources;
}

/** The KPIs over incidents declared in the window, as JSON (`/api/kpis`) and for Prometheus (`/metrics`). */
export function kpiRoutes(service: IncidentService, options: KpiRouteOptions = {}): Route[] {
  const clock = options.clock ?? (() => new Date());
  const { answers, metrics } = options.kpis ?? kpiSources(service, { refreshMs: DEFAULT_REFRESH_MS, clock });
  const kpis = async (since: string | undefined, format: KpiFormat) => {
    const now = clock();
    return (await call(() => readKpiText(service, parseWindow(since ?? DEFAULT_WINDOW, now), now, format, answers)))
      .text;
  };
  return [
    {
      method: 'GET',
      path: '/api/kpis',
      auth: 'reader',
      docs: {
        summary: 'The KPIs of incidents declared in the window',
        description:
          'Computed from the read summaries the incidents keep in Temporal visibility, no query of any incident: a window of up to 30 days from the projection this process refreshes in the background (`asOf` says when its incidents were read, and the window ends there; one answer per window serves every request until the next refresh), an older one from a paginated list for the request (`asOf` is then now).',
        query: kpiQuery,
        responses: { 200: 'The KPIs, as of `asOf`; `unreadable` names incidents left out', 400: 'A bad `since`' },
      },
      handle: async ({ query }) => {
        const body = await kpis(parseQuery(kpiQuery, query).since, 'json');
        return { status: 200, body, contentType: JSON_CONTENT_TYPE };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      auth: 'reader',
      docs: {
        summary: 'The KPIs, process and worker metrics for Prometheus',
        description: `Without \`since\`: the ${DEFAULT_WINDOW} window, precomputed in the background (\`incident_kpi_data_age_seconds\` says how old), with prom-client's process metrics and the worker's own; a scrape costs the same at any number of incidents. With \`since\`: the KPIs of that window alone, computed for the request.`,
        query: kpiQuery,
        produces: [PROMETHEUS_CONTENT_TYPE],
        responses: { 200: 'The Prometheus text format', 400: 'A bad `since`' },
      },
      handle: async ({ query }) => {
        const { since } = parseQuery(kpiQuery, query);
        const body = since === undefined ? await metrics.metrics() : await kpis(since, 'prometheus');
        return { status: 200, body, contentType: PROMETHEUS_CONTENT_TYPE };
      },
    },
  ];
}
