// KPIs in the Prometheus text exposition format 0.0.4, for a scrape endpoint or a textfile collector.
// Every sample is a field of Kpis (durations in seconds); a null field has no sample.
import { SEVERITIES } from '../../workflows/types.js';
import { TIMING_KINDS, type Kpis, type TimingKind } from './compute.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export const METRIC = {
  windowStart: 'incident_kpi_window_start_timestamp_seconds',
  windowEnd: 'incident_kpi_window_end_timestamp_seconds',
  incidents: 'incident_incidents_declared',
  open: 'incident_open_incidents',
  timing: {
    detect: 'incident_time_to_detect_seconds',
    acknowledge: 'incident_time_to_acknowledge_seconds',
    mitigate: 'incident_time_to_mitigate_seconds',
    resolve: 'incident_time_to_resolve_seconds',
  } satisfies Record<TimingKind, string>,
  targetBreaches: 'incident_mitigation_target_breaches',
  targetMeasured: 'incident_mitigation_target_measured',
  repeats: 'incident_repeat_incidents',
  actions: 'incident_corrective_actions',
  onTimeRatio: 'incident_corrective_actions_on_time_ratio',
  onTimeTarget: 'incident_corrective_actions_on_time_target_ratio',
  statusUpdates: 'incident_status_update_windows',
  statusUpdatesOnTime: 'incident_status_updates_on_time_ratio',
} as const;

export interface PrometheusOptions {
  /** Labels added to every sample, e.g. `{ deployment: 'eu-1' }`. */
  labels?: Record<string, string>;
}

type Labels = Record<string, string>;

const TIMING_HELP: Record<TimingKind, string> = {
  detect: 'Time from the start of impact (detectedAt) to declaration',
  acknowledge: "Time from declaration to the commander's acknowledgement",
  mitigate: 'Time from declaration to mitigation',
  resolve: 'Time from declaration to resolution',
};

const RESERVED_LABELS = new Set(['severity', 'stat', 'state']);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function renderPrometheus(kpis: Kpis, options: PrometheusOptions = {}): string {
  const base = constLabels(options.labels ?? {});
  const out: string[] = [];
  const family = (name: string, type: 'gauge', help: string): void => {
    out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
  };
  const sample = (name: string, labels: Labels, value: number): void => {
    out.push(`${name}${formatLabels({ ...base, ...labels })} ${formatValue(value)}`);
  };
  const window = 'in the KPI window';

  family(
    METRIC.windowStart,
    'gauge',
    'Start of the KPI window (incidents declared at or after it are counted), Unix time',
  );
  sample(METRIC.windowStart, {}, seconds(Date.parse(kpis.window.since)));
  family(METRIC.windowEnd, 'gauge', 'End of the KPI window, the instant the KPIs were computed at, Unix time');
  sample(METRIC.windowEnd, {}, seconds(Date.parse(kpis.window.until)));

  family(METRIC.incidents, 'gauge', `Incidents declared ${window}, by severity`);
  for (const severity of SEVERITIES) sample(METRIC.incidents, { severity }, kpis.incidents.bySeverity[severity]);

  family(METRIC.open, 'gauge', `Incidents declared ${window} that are not closed`);
  sample(METRIC.open, {}, kpis.incidents.open);

  // Gauges, not summaries: these are statistics over the window, recomputed on each scrape, not counters.
  for (const kind of TIMING_KINDS) {
    const name = METRIC.timing[kind];
    family(
      name,
      'gauge',
      `${TIMING_HELP[kind]}, for incidents declared ${window}: nearest-rank median, p90 and max, by severity`,
    );
    for (const severity of SEVERITIES) {
      const stats = kpis.timings[severity][kind];
      if (stats.medianMs !== null) sample(name, { severity, stat: 'median' }, seconds(stats.medianMs));
      if (stats.p90Ms !== null) sample(name, { severity, stat: 'p90' }, seconds(stats.p90Ms));
      if (stats.maxMs !== null) sample(name, { severity, stat: 'max' }, seconds(stats.maxMs));
    }
    const counted = `${name.replace(/_seconds$/, '')}_measured`;
    family(counted, 'gauge', `Incidents declared ${window} with a ${kind} time, by severity`);
    for (const severity of SEVERITIES) sample(counted, { severity }, kpis.timings[severity][kind].count);
  }

  family(
    METRIC.targetBreaches,
    'gauge',
    `Incidents declared ${window} mitigated after their mitigation target, or unmitigated past it, by severity`,
  );
  for (const severity of SEVERITIES)
    sample(METRIC.targetBreaches, { severity }, kpis.mitigationTargets[severity].breached);

  family(
    METRIC.targetMeasured,
    'gauge',
    `Incidents declared ${window} judged against their mitigation target (mitigated, or unmitigated past it), by severity`,
  );
  for (const severity of SEVERITIES)
    sample(METRIC.targetMeasured, { severity }, kpis.mitigationTargets[severity].measured);

  family(
    METRIC.repeats,
    'gauge',
    `Incidents declared ${window} that repeat an earlier one (same runbook, and fingerprint or service)`,
  );
  sample(METRIC.repeats, {}, kpis.repeats.count);

  family(
    METRIC.actions,
    'gauge',
    `Corrective actions of incidents declared ${window}, by state; open includes overdue`,
  );
  const { actions } = kpis;
  sample(METRIC.actions, { state: 'closed_on_time' }, actions.closedOnTime);
  sample(METRIC.actions, { state: 'closed_late' }, actions.closedLate);
  sample(METRIC.actions, { state: 'waived' }, actions.waived);
  sample(METRIC.actions, { state: 'open' }, actions.open);
  sample(METRIC.actions, { state: 'overdue' }, actions.overdue);

  family(
    METRIC.onTimeRatio,
    'gauge',
    'Corrective actions closed on time over those due (closed, or open past due); waived excluded',
  );
  if (actions.onTimeRate !== null) sample(METRIC.onTimeRatio, {}, actions.onTimeRate);

  family(METRIC.onTimeTarget, 'gauge', 'Target for the on-time ratio of corrective actions');
  sample(METRIC.onTimeTarget, {}, actions.target);

  family(
    METRIC.statusUpdates,
    'gauge',
    `Status-update windows of incidents declared ${window} that ended, by severity and state (on_time: an update by its due time; overdue: none)`,
  );
  for (const severity of SEVERITIES) {
    sample(METRIC.statusUpdates, { severity, state: 'on_time' }, kpis.statusUpdates[severity].onTime);
    sample(METRIC.statusUpdates, { severity, state: 'overdue' }, kpis.statusUpdates[severity].overdue);
  }
  family(METRIC.statusUpdatesOnTime, 'gauge', 'Status updates on time over the windows that ended, by severity');
  for (const severity of SEVERITIES) {
    const rate = kpis.statusUpdates[severity].onTimeRate;
    if (rate !== null) sample(METRIC.statusUpdatesOnTime, { severity }, rate);
  }

  return `${out.join('\n')}\n`;
}

/** A label value in the text format: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function seconds(ms: number): number {
  return ms / 1000;
}

function constLabels(labels: Labels): Labels {
  for (const name of Object.keys(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__'))
      throw new Error(`"${name}" is not a valid Prometheus label name`);
    if (RESERVED_LABELS.has(name)) throw new Error(`label "${name}" is set by the KPI metrics themselves`);
  }
  return labels;
}
