// A projected KPI window as /api/kpis and /metrics send it: JSON text or the Prometheus text format,
// rendered where the projection lives (this thread in tests, a worker thread in the product:
// kpi-thread-host.ts), so that serving it costs the event loop a string whatever the incidents.
import { jsonText } from '../http/json.js';
import type { KpiProjection, RefreshReport } from './kpi-projection.js';
import type { KpiWindow } from './kpi-window.js';
import { renderPrometheus } from './prometheus.js';
import type { WindowKpis } from './read-kpis.js';

export type KpiFormat = 'json' | 'prometheus';

export interface KpiText {
  text: string;
  /** Incidents read in all, and how many of them were queried (no read summary). */
  read: number;
  queried: number;
}

export interface KpiAnswers {
  /** Lists the changes since the last refresh (or everything, when due); resolves with what it listed. */
  refresh(): Promise<RefreshReport | undefined>;
  /** The window as of the last refresh; undefined when the projection does not hold it. */
  text(window: KpiWindow, now: Date, format: KpiFormat): Promise<KpiText | undefined>;
  close(): Promise<void>;
}

/** The body of /api/kpis: the figures, as of when, and the incidents left out because unreadable. */
export function kpisBody({ kpis, unreadable, asOf }: WindowKpis) {
  return { ...kpis, asOf: asOf.toISOString(), ...(unreadable.length ? { unreadable } : {}) };
}

export function renderKpis(answer: WindowKpis, format: KpiFormat): string {
  return format === 'json' ? jsonText(kpisBody(answer)) : renderPrometheus(answer.kpis);
}

/**
 * Renders each answer of the projection once per format: an answer is shared until the next refresh,
 * and so is its text.
 */
export function projectionAnswers(projection: KpiProjection): KpiAnswers {
  const rendered = new WeakMap<WindowKpis, Partial<Record<KpiFormat, string>>>();
  return {
    refresh: async () => (await projection.refresh(), projection.lastRefresh),
    text: async (window, now, format) => {
      const answer = projection.kpis(window, now);
      if (!answer) return undefined;
      const texts = rendered.get(answer) ?? {};
      rendered.set(answer, texts);
      return { text: (texts[format] ??= renderKpis(answer, format)), read: answer.read, queried: answer.queried };
    },
    close: async () => undefined,
  };
}
