// A generic webhook signed per Standard Webhooks 1.0: webhook-id (the delivery's idempotency key, the
// same on every retry, so receivers drop duplicates), webhook-timestamp (this attempt) and
// webhook-signature over `${id}.${timestamp}.${body}` of the exact bytes sent.
import { Webhook } from 'standardwebhooks';
import type { OutgoingMessage } from './message.js';
import { postJson } from './http-post.js';

export const WEBHOOK_EVENT_TYPE = 'incident.notification';

export function webhookPayload(message: OutgoingMessage, at: Date): object {
  return {
    type: WEBHOOK_EVENT_TYPE,
    timestamp: at.toISOString(),
    data: {
      incidentId: message.incidentId,
      recipients: message.recipients,
      subject: message.subject,
      text: message.text,
      idempotencyKey: message.key,
    },
  };
}

export async function sendSignedWebhook(
  url: string,
  secret: string,
  message: OutgoingMessage,
  what: string,
  now = new Date(),
): Promise<void> {
  const body = JSON.stringify(webhookPayload(message, now));
  const signature = new Webhook(secret).sign(message.key, now, body);
  await postJson(
    url,
    body,
    {
      'webhook-id': message.key,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    },
    what,
  );
}
