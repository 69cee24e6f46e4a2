import { z } from 'zod';
import { labelsFingerprint, oneLine, titleFromLabels, toUtcIso, validatePayload, type AlertBatch } from './alert.js';

const timestamp = z.iso.datetime({ offset: true });
const stringMap = z.record(z.string(), z.string());

const genericAlertSchema = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  id: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Identifies the alert within its group; default: a hash of the labels.' }),
  groupKey: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Alerts with the same groupKey belong to one incident; default: computed from the labels.' }),
  labels: stringMap.meta({ description: 'Identifying key/value pairs, e.g. alertname, service, severity.' }),
  annotations: stringMap
    .optional()
    .meta({ description: 'Descriptive key/value pairs, e.g. summary, description, runbook_url.' }),
  title: z.string().min(1).optional().meta({ description: 'One line for people; default: "alertname: summary".' }),
  startsAt: timestamp.optional().meta({ description: 'ISO 8601; default: when the webhook was received.' }),
  endsAt: timestamp
    .optional()
    .meta({ description: 'ISO 8601, read only when resolved; default: when the webhook was received.' }),
  url: z
    .url({ protocol: /^https?$/ })
    .optional()
    .meta({ description: 'Where a person looks at the alert.' }),
});

/** Our own format, for senders with no native integration. */
export const genericPayloadSchema = z.looseObject({ alerts: z.array(genericAlertSchema).min(1) }).meta({
  title: 'Generic alert webhook payload',
  description: 'POST one or more alerts; send the same alert again with status "resolved" to resolve it.',
});

export const GENERIC_ALERT_JSON_SCHEMA = z.toJSONSchema(genericPayloadSchema, { io: 'input' });

export function parseGeneric(body: unknown, receivedAt: string): AlertBatch {
  const payload = validatePayload(genericPayloadSchema, body);
  return {
    source: 'generic',
    alerts: payload.alerts.map((alert) => {
      const fingerprint = alert.id ?? labelsFingerprint(alert.labels);
      const annotations = alert.annotations ?? {};
      return {
        source: 'generic',
        status: alert.status,
        fingerprint,
        ...(alert.groupKey ? { groupKey: alert.groupKey } : {}),
        labels: alert.labels,
        annotations,
        title: oneLine(alert.title ?? '') || titleFromLabels(alert.labels, annotations, fingerprint),
        startsAt: toUtcIso(alert.startsAt ?? receivedAt),
        ...(alert.status === 'resolved' ? { endsAt: toUtcIso(alert.endsAt ?? receivedAt) } : {}),
        ...(alert.url ? { url: alert.url } : {}),
      };
    }),
  };
}
