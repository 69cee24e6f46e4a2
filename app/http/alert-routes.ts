import type { AlertWebhook } from '../alerts/alert-webhook.js';
import type { Route } from './router.js';

/** POST /webhooks/alertmanager, /grafana, /datadog, /generic: the raw body goes to the alert webhook as it came. */
export function alertRoutes(webhook: AlertWebhook): Route[] {
  return [
    {
      method: 'POST',
      path: '/webhooks/:source',
      rawBody: true,
      async handle({ params, req, rawBody }) {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]));
        const answer = await webhook(params.source!, headers, rawBody);
        return { status: answer.status, body: answer.body, ...(answer.headers ? { headers: answer.headers } : {}) };
      },
    },
  ];
}
