import { z } from 'zod';
import { validatePayload, type AlertBatch } from './alert.js';
import { alertFromPrometheusStyle, alertmanagerAlertSchema } from './alertmanager.js';

/** Grafana's alerts: Alertmanager's, plus links into Grafana and the query values that fired. */
export const grafanaAlertSchema = alertmanagerAlertSchema.extend({
  fingerprint: z.string(),
  silenceURL: z.string(),
  dashboardURL: z.string(),
  panelURL: z.string(),
  values: z.record(z.string(), z.number()).nullable().optional(),
  valueString: z.string().optional(),
  imageURL: z.string().optional(),
});

/** Grafana unified alerting's webhook contact point payload (version "1"). */
export const grafanaPayloadSchema = z.looseObject({
  version: z.literal('1'),
  orgId: z.number().int(),
  groupKey: z.string(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupLabels: z.record(z.string(), z.string()).optional(),
  commonLabels: z.record(z.string(), z.string()).optional(),
  commonAnnotations: z.record(z.string(), z.string()).optional(),
  externalURL: z.string().optional(),
  truncatedAlerts: z.number().int().optional(),
  title: z.string().optional(),
  state: z.string().optional(),
  message: z.string().optional(),
  alerts: z.array(grafanaAlertSchema),
});

export function parseGrafana(body: unknown, _receivedAt: string): AlertBatch {
  const payload = validatePayload(grafanaPayloadSchema, body);
  const groupKey = payload.groupKey || undefined;
  return {
    source: 'grafana',
    ...(groupKey ? { receivedGroupKey: groupKey } : {}),
    // The panel shows the data that fired; the dashboard or the rule are the next best thing.
    alerts: payload.alerts.map((alert) =>
      alertFromPrometheusStyle('grafana', alert, groupKey, alert.panelURL || alert.dashboardURL || alert.generatorURL),
    ),
  };
}
