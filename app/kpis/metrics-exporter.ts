// GET /metrics, cheap at any number of incidents: the KPIs (prometheus.ts) and the worker's own
// figures are computed in the background every `refreshMs` and kept as text; a scrape adds the
// process metrics of prom-client and the age of that text, and costs the same at 10 incidents and
// at 10,000. A failed refresh keeps the last text, so the age gauge is what tells it is stale.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { KpiText } from './kpi-answers.js';

export interface MetricsExporterOptions {
  /** The KPIs of the exported window in the Prometheus text format, as of now. */
  compute: () => Promise<KpiText>;
  /** How often the background refresh runs. */
  refreshMs: number;
  /** The worker's metrics in the text format (the Temporal core's Prometheus endpoint), if this process runs one. */
  workerMetrics?: () => Promise<string>;
  onError?: (err: unknown) => void;
}

export class MetricsExporter {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private kpiText = '';
  private workerText = '';
  private computedAt: number | undefined;
  private refreshing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly refreshSeconds: Gauge;
  private readonly refreshFailures: Counter;
  private readonly incidentsRead: Gauge;

  constructor(private readonly options: MetricsExporterOptions) {
    collectDefaultMetrics({ register: this.registry });
    const age: Gauge = new Gauge({
      name: 'incident_kpi_data_age_seconds',
      help: 'Age of the KPI figures served here: seconds since the last successful background refresh',
      registers: [this.registry],
      collect: () => {
        if (this.computedAt !== undefined) age.set((Date.now() - this.computedAt) / 1000);
      },
    });
    new Gauge({
      name: 'incident_kpi_refresh_interval_seconds',
      help: 'How often the KPI figures are recomputed in the background',
      registers: [this.registry],
    }).set(options.refreshMs / 1000);
    this.refreshSeconds = new Gauge({
      name: 'incident_kpi_refresh_duration_seconds',
      help: 'How long the last KPI refresh took (one paginated visibility list)',
      registers: [this.registry],
    });
    this.refreshFailures = new Counter({
      name: 'incident_kpi_refresh_failures_total',
      help: 'KPI refreshes that failed (the previous figures were kept)',
      registers: [this.registry],
    });
    this.incidentsRead = new Gauge({
      name: 'incident_kpi_incidents_read',
      help: 'Incidents read by the last KPI refresh, by how: summary (from visibility) or query (no summary yet)',
      labelNames: ['source'],
      registers: [this.registry],
    });
  }

  /** Refreshes now and then every `refreshMs`; the timer does not hold the process open. */
  start(): void {
    if (this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One refresh at a time: a call during one waits for it. */
  refresh(): Promise<void> {
    this.refreshing ??= this.recompute().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /**
   * The exposition. Only the very first scrape waits for figures; without the timer (not started),
   * a scrape finding them older than the interval starts a refresh and still answers at once.
   */
  async metrics(): Promise<string> {
    if (this.computedAt === undefined) await this.refresh();
    else if (!this.timer && Date.now() - this.computedAt > this.options.refreshMs) void this.refresh();
    return [await this.registry.metrics(), this.kpiText, this.workerText].filter((part) => part !== '').join('\n');
  }

  private async recompute(): Promise<void> {
    const started = Date.now();
    try {
      const [{ text, read, queried }, worker] = await Promise.all([
        this.options.compute(),
        this.options.workerMetrics?.().catch((err: unknown) => (this.options.onError?.(err), this.workerText)),
      ]);
      this.kpiText = text;
      this.workerText = worker ?? '';
      this.incidentsRead.set({ source: 'summary' }, read - queried);
      this.incidentsRead.set({ source: 'query' }, queried);
      this.computedAt = Date.now();
      this.refreshSeconds.set((this.computedAt - started) / 1000);
    } catch (err) {
      this.refreshFailures.inc();
      this.options.onError?.(err);
    }
  }
}
