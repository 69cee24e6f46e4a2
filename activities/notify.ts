import type { Notification, Notifier } from '../integrations/notify/provider.js';
import { redact } from '../integrations/redaction/redact.js';

export function createNotifyActivities(notifier: Notifier) {
  return {
    async notify(notification: Notification): Promise<{ delivered: string }> {
      return notifier.notify({
        ...notification,
        subject: redact(notification.subject),
        text: redact(notification.text),
      });
    },
  };
}
