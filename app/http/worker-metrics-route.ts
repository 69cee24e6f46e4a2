// GET /metrics of a worker-only process (ROLE=worker): prom-client's process metrics and the Temporal
// core's worker figures (task slots, sticky cache, activity failures by type), the KPIs being the API's.
import { collectDefaultMetrics, Registry } from 'prom-client';
import { PROMETHEUS_CONTENT_TYPE } from '../kpis/prometheus.js';
import type { Route } from './router.js';

export function workerMetricsRoute(readWorkerMetrics: () => Promise<string>): Route {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    method: 'GET',
    path: '/metrics',
    auth: 'reader',
    docs: {
      summary: "A worker process's metrics for Prometheus",
      produces: [PROMETHEUS_CONTENT_TYPE],
      responses: { 200: 'The Prometheus text format' },
    },
    handle: async () => {
      const worker = await readWorkerMetrics().catch(() => '');
      const body = [await registry.metrics(), worker].filter((part) => part !== '').join('\n');
      return { status: 200, body, contentType: PROMETHEUS_CONTENT_TYPE };
    },
  };
}
