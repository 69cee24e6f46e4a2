import { createHash } from 'node:crypto';
import type { z } from 'zod';

export const ALERT_SOURCES = ['alertmanager', 'grafana', 'datadog', 'generic'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

/** One monitoring alert, whatever sent it. */
export interface Alert {
  source: AlertSource;
  status: 'firing' | 'resolved';
  /** identifies this alert within its group (Alertmanager/Grafana fingerprint, Datadog alert id + scope, generic id) */
  fingerprint: string;
  /** the sender's grouping key when it has one (Alertmanager/Grafana groupKey, Datadog cycle key, generic groupKey); else routing computes one */
  groupKey?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** a one-line summary for people */
  title: string;
  /** ISO 8601, UTC */
  startsAt: string;
  /** ISO 8601, UTC; only when resolved */
  endsAt?: string;
  /** where a person looks at the alert: panel, dashboard, rule or Datadog event */
  url?: string;
}

/** What one webhook delivery carried. */
export interface AlertBatch {
  source: AlertSource;
  receivedGroupKey?: string;
  alerts: Alert[];
}

/** The payload is not what the source sends: one `path: message` line per problem. Retrying will not help. */
export class AlertPayloadInvalid extends Error {
  override name = 'AlertPayloadInvalid';
  constructor(readonly issues: string[]) {
    super(issues.join('\n'));
  }
}

export function validatePayload<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new AlertPayloadInvalid(result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`));
}

/** `alerts[0].labels`, `alerts[1].labels["app.kubernetes.io/name"]`, or `body` for the payload itself. */
function formatPath(path: PropertyKey[]): string {
  const parts = path.map((part, i) => {
    if (typeof part === 'number') return `[${part}]`;
    const key = String(part);
    if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `[${JSON.stringify(key)}]`;
    return i === 0 ? key : `.${key}`;
  });
  return parts.join('') || 'body';
}

/** A stable id from the labels alone (order-independent), for senders that give none. */
export function labelsFingerprint(labels: Record<string, string>): string {
  const sorted = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

/** "alertname: summary", as people read a Prometheus-style alert. */
export function titleFromLabels(
  labels: Record<string, string>,
  annotations: Record<string, string>,
  fingerprint: string,
): string {
  const parts = [labels.alertname, annotations.summary].filter((part) => part?.trim());
  return oneLine(parts.length ? parts.join(': ') : `alert ${fingerprint}`);
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Any ISO 8601 timestamp (offsets, nanoseconds) as UTC milliseconds, so timestamps compare as strings. */
export function toUtcIso(timestamp: string): string {
  return new Date(timestamp).toISOString();
}
