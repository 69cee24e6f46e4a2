import { Context } from '@temporalio/activity';
import type {
  DeliveryOutcome,
  Notification,
  NotificationPlan,
  Notifier,
  PlannedDelivery,
} from '../integrations/notify/provider.js';
import { StakeholderNotifier } from '../integrations/notify/stakeholder-notifier.js';
import { redact } from '../integrations/redaction/redact.js';
import { createLogger } from '../integrations/log.js';
import { asActivityFailure } from './failure-classes.js';

/**
 * The notification's key when the workflow gave none: its workflow, run and this activity's id, the
 * same on every attempt (and on replay), so a retried activity is recognised as the same message.
 */
function keyOf(notification: Notification): string {
  if (notification.idempotencyKey) return notification.idempotencyKey;
  const { workflowExecution: run, activityId } = Context.current().info;
  return run ? `${run.workflowId}/${run.runId}/${activityId}` : `activity/${activityId}`;
}

const redacted = (notification: Notification): Notification => ({
  ...notification,
  subject: redact(notification.subject),
  text: redact(notification.text),
});

export function createNotifyActivities(notifier: Notifier) {
  const channels =
    notifier instanceof StakeholderNotifier
      ? notifier
      : new StakeholderNotifier({ local: notifier, log: createLogger('error') });
  return {
    /**
     * Every channel of the audience in one activity: channels delivered (or refused) are recorded and
     * skipped when the activity is retried; it fails retryably while any channel may still succeed.
     */
    async notify(notification: Notification): Promise<{ delivered: string; deliveries: DeliveryOutcome[] }> {
      try {
        return await channels.notify(redacted({ ...notification, idempotencyKey: keyOf(notification) }));
      } catch (err) {
        asActivityFailure(err);
      }
    },

    /** For a workflow that delivers channel by channel: who hears it, through what, with which keys. */
    async planNotification(notification: Notification): Promise<NotificationPlan> {
      return channels.plan(notification, keyOf(notification));
    },

    /** One channel of a plan: its own retries and failure, never holding up the others. */
    async deliverNotification({
      notification,
      delivery,
    }: {
      notification: Notification;
      delivery: PlannedDelivery;
    }): Promise<DeliveryOutcome> {
      try {
        return await channels.deliver(delivery, redacted(notification));
      } catch (err) {
        asActivityFailure(err);
      }
    },

    /** A person's IANA time zone from the directory (`user:dave`, `ic:alice`), for their digest time. */
    async timeZoneOf({ recipient }: { recipient: string }): Promise<string | undefined> {
      return channels.timeZoneOf(recipient);
    },
  };
}
