import type { Notification, Notifier } from '../integrations/notify/provider.js';

export function createNotifyActivities(notifier: Notifier) {
  return {
    async notify(notification: Notification): Promise<{ delivered: string }> {
      return notifier.notify(notification);
    },
  };
}
