// Prometheus text as a scraper sees it: every sample parsed by a real text-format parser, keyed by name and
// labels, next to what the exposition should hold according to a Kpis object.
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { TIMING_KINDS, type Kpis } from '../../app/kpis/compute.js';
import { METRIC } from '../../app/kpis/prometheus.js';
import { SEVERITIES } from '../../workflows/types.js';

type Sample = { name: string; labels: Record<string, string>; value: number };

export function sampleKey(name: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${sorted.join(',')}}`;
}

/** Every sample of the text, as the parser reads it, with its own labels. */
export function parsedSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const family of parsePrometheusTextFormat(text)) {
    for (const metric of family.metrics) {
      const labels = metric.labels ?? {};
      const add = (name: string, value: string | undefined) => {
        assert.ok(value !== undefined, `${name} has a sample without value`);
        const key = sampleKey(name, labels);
        assert.ok(!samples.has(key), `duplicate sample ${key}`);
        samples.set(key, Number(value));
      };
      // Histograms and summaries (prom-client's process metrics) lose their labels in this parser; the
      // KPIs are all gauges, so they are left out here.
      if (family.type === 'HISTOGRAM' || family.type === 'SUMMARY') continue;
      add(family.name, metric.value);
    }
  }
  return samples;
}

/** What the exposition should hold, read off the Kpis object field by field. */
export function expectedSamples(kpis: Kpis, constLabels: Record<string, string>): Map<string, number> {
  const samples: Sample[] = [];
  const add = (name: string, labels: Record<string, string>, value: number | null): void => {
    if (value !== null) samples.push({ name, labels: { ...constLabels, ...labels }, value });
  };
  add(METRIC.windowStart, {}, Date.parse(kpis.window.since) / 1000);
  add(METRIC.windowEnd, {}, Date.parse(kpis.window.until) / 1000);
  for (const severity of SEVERITIES) {
    add(METRIC.incidents, { severity }, kpis.incidents.bySeverity[severity]);
    add(METRIC.targetBreaches, { severity }, kpis.mitigationTargets[severity].breached);
    add(METRIC.targetMeasured, { severity }, kpis.mitigationTargets[severity].measured);
    for (const kind of TIMING_KINDS) {
      const stats = kpis.timings[severity][kind];
      const name = `incident_time_to_${kind}_seconds`;
      add(name, { severity, stat: 'median' }, stats.medianMs === null ? null : stats.medianMs / 1000);
      add(name, { severity, stat: 'p90' }, stats.p90Ms === null ? null : stats.p90Ms / 1000);
      add(name, { severity, stat: 'max' }, stats.maxMs === null ? null : stats.maxMs / 1000);
      add(`incident_time_to_${kind}_measured`, { severity }, stats.count);
    }
  }
  add(METRIC.open, {}, kpis.incidents.open);
  add(METRIC.repeats, {}, kpis.repeats.count);
  add(METRIC.actions, { state: 'closed_on_time' }, kpis.actions.closedOnTime);
  add(METRIC.actions, { state: 'closed_late' }, kpis.actions.closedLate);
  add(METRIC.actions, { state: 'waived' }, kpis.actions.waived);
  add(METRIC.actions, { state: 'open' }, kpis.actions.open);
  add(METRIC.actions, { state: 'overdue' }, kpis.actions.overdue);
  add(METRIC.onTimeRatio, {}, kpis.actions.onTimeRate);
  add(METRIC.onTimeTarget, {}, kpis.actions.target);
  for (const severity of SEVERITIES) {
    add(METRIC.statusUpdates, { severity, state: 'on_time' }, kpis.statusUpdates[severity].onTime);
    add(METRIC.statusUpdates, { severity, state: 'overdue' }, kpis.statusUpdates[severity].overdue);
    add(METRIC.statusUpdatesOnTime, { severity }, kpis.statusUpdates[severity].onTimeRate);
  }
  return new Map(samples.map((s) => [sampleKey(s.name, s.labels), s.value]));
}
