import type { Logger } from '../../app/log.js';
import type { Notification, Notifier } from './provider.js';

/** The embedded default: notifications go to the server log (and, through the workflow, the timeline). */
export class ConsoleNotifier implements Notifier {
  constructor(private readonly log: Logger) {}

  async notify(notification: Notification): Promise<{ delivered: string }> {
    this.log.info(`[notify ${notification.audience.join(', ')}] ${notification.incidentId}: ${notification.subject}`, { text: notification.text });
    return { delivered: 'console' };
  }
}
