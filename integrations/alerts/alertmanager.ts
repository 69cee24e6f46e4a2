import { z } from 'zod';
import { labelsFingerprint, titleFromLabels, toUtcIso, validatePayload, type Alert, type AlertBatch } from './alert.js';

const stringMap = z.record(z.string(), z.string());
const timestamp = z.iso.datetime({ offset: true });
/** Go's zero time: Alertmanager and Grafana send it as `endsAt` while an alert fires. */
const GO_ZERO_TIME = '0001-01-01T00:00:00';

/** One alert of an Alertmanager notification; Grafana's alerts extend it. */
export const alertmanagerAlertSchema = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: stringMap,
  annotations: stringMap,
  startsAt: timestamp,
  endsAt: timestamp,
  generatorURL: z.string(),
  // Older Alertmanagers send version "4" without it.
  fingerprint: z.string().optional(),
});

/** Alertmanager's `webhook_config` payload, version 4. */
export const alertmanagerPayloadSchema = z.looseObject({
  version: z.literal('4'),
  groupKey: z.string(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupLabels: stringMap.optional(),
  commonLabels: stringMap.optional(),
  commonAnnotations: stringMap.optional(),
  externalURL: z.string().optional(),
  truncatedAlerts: z.number().int().optional(),
  alerts: z.array(alertmanagerAlertSchema),
});

export function parseAlertmanager(body: unknown, _receivedAt: string): AlertBatch {
  const payload = validatePayload(alertmanagerPayloadSchema, body);
  const groupKey = payload.groupKey || undefined;
  return {
    source: 'alertmanager',
    ...(groupKey ? { receivedGroupKey: groupKey } : {}),
    alerts: payload.alerts.map((alert) =>
      alertFromPrometheusStyle('alertmanager', alert, groupKey, alert.generatorURL),
    ),
  };
}

/** One Alertmanager-shaped alert (Alertmanager's or Grafana's) as an Alert. */
export function alertFromPrometheusStyle(
  source: 'alertmanager' | 'grafana',
  alert: z.output<typeof alertmanagerAlertSchema>,
  groupKey: string | undefined,
  url: string | undefined,
): Alert {
  const fingerprint = alert.fingerprint || labelsFingerprint(alert.labels);
  const ended = alert.status === 'resolved' && !alert.endsAt.startsWith(GO_ZERO_TIME);
  return {
    source,
    status: alert.status,
    fingerprint,
    ...(groupKey ? { groupKey } : {}),
    labels: alert.labels,
    annotations: alert.annotations,
    title: titleFromLabels(alert.labels, alert.annotations, fingerprint),
    startsAt: toUtcIso(alert.startsAt),
    ...(ended ? { endsAt: toUtcIso(alert.endsAt) } : {}),
    ...(url ? { url } : {}),
  };
}
