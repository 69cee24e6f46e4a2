// A notification channel by channel (since 'per-channel-delivery'): the plan is one activity (who hears
// it, through what, with which keys), each channel's delivery another, all in parallel; each outcome is on
// the timeline, sent or failed, with the channel's label. A failing channel holds up and repeats no other.
import type { IncidentActivities } from '../../activities/index.js';
import type { Notification, NotificationPlan } from '../../integrations/notify/provider.js';
import { SYSTEM } from '../constants.js';
import { failureMessage } from '../failures.js';
import type { Incident } from './incident.js';

export async function deliverEachChannel(
  activities: IncidentActivities,
  record: Incident['record'],
  notification: Notification,
  idempotencyKey?: string,
): Promise<void> {
  const { audience, subject } = notification;
  let plan: NotificationPlan;
  try {
    plan = await activities.planNotification({ ...notification, ...(idempotencyKey ? { idempotencyKey } : {}) });
  } catch (err) {
    record('notification.failed', SYSTEM, `Could not notify ${audience.join(', ')}: ${failureMessage(err)}`);
    return;
  }
  const planned = { ...notification, idempotencyKey: plan.key };
  await Promise.all(
    plan.deliveries.map(async (delivery) => {
      const who = delivery.recipients.join(', ');
      // The local inbox is the default: its entries read as they always did.
      const through = delivery.target.kind === 'local' ? '' : ` (${delivery.label})`;
      const data = { channel: delivery.label, key: delivery.key, recipients: delivery.recipients };
      try {
        const outcome = await activities.deliverNotification({ notification: planned, delivery });
        if (outcome.status === 'failed') throw new Error(outcome.detail);
        // Unconfirmed: a worker died mid-send; the message may have arrived and was not sent again.
        const unconfirmed = outcome.status === 'unconfirmed' ? ` (${outcome.detail})` : '';
        record('notification.sent', SYSTEM, `Notified ${who}${through}: ${subject}${unconfirmed}`, data);
      } catch (err) {
        record('notification.failed', SYSTEM, `Could not notify ${who}${through}: ${failureMessage(err)}`, data);
      }
    }),
  );
}
