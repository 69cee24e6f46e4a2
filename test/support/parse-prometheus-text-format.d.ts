// Types for parse-prometheus-text-format, which ships none. Its output follows prom2json: values stay strings.
declare module 'parse-prometheus-text-format' {
  export interface PrometheusSample {
    value?: string;
    labels?: Record<string, string>;
    timestamp_ms?: string;
    /** Summaries and histograms. */
    count?: string;
    sum?: string;
    /** Summaries: quantile → value (only for samples whose sole label is `quantile`). */
    quantiles?: Record<string, string>;
    /** Histograms: le → cumulative count. */
    buckets?: Record<string, string>;
  }

  export interface PrometheusMetricFamily {
    name: string;
    /** Unescaped; '' when the family has no HELP line. */
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'SUMMARY' | 'HISTOGRAM' | 'UNTYPED';
    metrics: PrometheusSample[];
  }

  export default function parsePrometheusTextFormat(text: string): PrometheusMetricFamily[];
}
