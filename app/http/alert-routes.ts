import { z } from 'zod';
import { ALERT_SOURCES } from '../../integrations/alerts/parse.js';
import { MAX_ALERT_BODY_BYTES, type AlertWebhook } from '../alerts/alert-webhook.js';
import { alertPrecheck, type AlertAccess } from './prechecks.js';
import type { Route } from './router.js';

const alertParams = z.object({ source: z.enum(ALERT_SOURCES).describe('who sends the notification') });
const grafanaHeaders = z.object({
  'x-grafana-alert-signature': z
    .string()
    .optional()
    .describe(
      'HMAC-SHA256 of timestamp:body with ALERT_GRAFANA_HMAC_SECRET (64 lowercase hex digits); required from Grafana when that is set',
    ),
  'x-grafana-alert-timestamp': z
    .string()
    .optional()
    .describe('Unix seconds, within 5 minutes of now either way; required with the signature'),
});

/**
 * POST /webhooks/alertmanager, /grafana, /datadog, /generic: the raw body goes to the alert webhook as
 * it came, once the token in the headers checks out (`access`).
 */
export function alertRoutes(webhook: AlertWebhook, access: AlertAccess): Route[] {
  return [
    {
      method: 'POST',
      path: '/webhooks/:source',
      auth: 'webhook',
      rawBody: true,
      precheck: alertPrecheck(access),
      // Alertmanager sends a whole group in one notification: up to 1 MiB, as the webhook accepts.
      maxBodyBytes: MAX_ALERT_BODY_BYTES,
      docs: {
        summary: 'An alert notification: opens, groups and updates incidents',
        description:
          'With no ALERT_WEBHOOK_TOKEN, accepted only on a loopback address. With ALERT_GRAFANA_HMAC_SECRET, /grafana authenticates by its signature alone and refuses ALERT_WEBHOOK_TOKEN.',
        params: alertParams,
        headers: grafanaHeaders,
        body: z.looseObject({}).describe("the source's notification payload"),
        security: ['alertToken', 'alertBasic'],
        responses: {
          202: '`{accepted, groups: [{groupKey, workflowId, alerts}]}` once Temporal has them',
          400: 'The payload names bad fields',
          401: 'Missing or wrong credentials or signature',
          403: 'Off: no token and not on loopback',
          404: 'No such source',
          409: 'This signed delivery was already taken: a replay',
          413: 'Body larger than 1 MiB',
          503: 'Temporal did not accept them: retry (Retry-After)',
        },
      },
      async handle({ params, req, rawBody }) {
        const headers = Object.fromEntries(
          Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
        );
        const answer = await webhook(params.source!, headers, rawBody);
        return { status: answer.status, body: answer.body, ...(answer.headers ? { headers: answer.headers } : {}) };
      },
    },
  ];
}
