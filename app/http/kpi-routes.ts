import { durationMs, durationPattern } from '../../runbooks/duration.js';
import { computeKpis, DEFAULT_REPEAT_WINDOW_MS, type Kpis } from '../kpis/compute.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../kpis/prometheus.js';
import type { IncidentService } from '../incident-service.js';
import { HttpError } from './json.js';
import type { Route } from './router.js';
import { kpiQuery } from './schemas.js';
import { call } from './service-call.js';

const DEFAULT_WINDOW = '30d';
const LONGEST_WINDOW_MS = 10 * 365 * 86_400_000;

/** The KPIs over incidents declared in the window, as JSON (`/api/kpis`) and for Prometheus (`/metrics`). */
export function kpiRoutes(service: IncidentService, clock: () => Date = () => new Date()): Route[] {
  const kpis = async (query: URLSearchParams): Promise<{ kpis: Kpis; unreadable: string[] }> => {
    const now = clock();
    const since = windowStart(query.get('since') ?? DEFAULT_WINDOW, now);
    // Incidents a little older than the window are read too: a counted incident may repeat one of them.
    const { incidents, unreadable } = await call(() =>
      service.declaredSince(new Date(since.getTime() - DEFAULT_REPEAT_WINDOW_MS)),
    );
    return { kpis: computeKpis(incidents, { now, since }), unreadable };
  };
  return [
    {
      method: 'GET',
      path: '/api/kpis',
      auth: 'reader',
      docs: {
        summary: 'The KPIs of incidents declared in the window',
        query: kpiQuery,
        responses: { 200: 'The KPIs; `unreadable` names incidents left out', 400: 'A bad `since`' },
      },
      handle: async ({ query }) => {
        const { kpis: body, unreadable } = await kpis(query);
        // Incidents whose state could not be read are left out, and named.
        return { status: 200, body: unreadable.length ? { ...body, unreadable } : body };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      auth: 'reader',
      docs: {
        summary: 'The KPIs for Prometheus',
        query: kpiQuery,
        produces: [PROMETHEUS_CONTENT_TYPE],
        responses: { 200: 'The Prometheus text format', 400: 'A bad `since`' },
      },
      handle: async ({ query }) => ({
        status: 200,
        body: renderPrometheus((await kpis(query)).kpis),
        contentType: PROMETHEUS_CONTENT_TYPE,
      }),
    },
  ];
}

/** `30d`, `12h` … back from now, or an ISO date or date-time. */
function windowStart(value: string, now: Date): Date {
  if (durationPattern.test(value)) {
    if (durationMs(value) > LONGEST_WINDOW_MS)
      throw new HttpError(400, `since ${value} reaches back more than ten years`, [
        { field: 'since', message: 'at most ten years' },
      ]);
    return new Date(now.getTime() - durationMs(value));
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
  return new Date(at);
}
