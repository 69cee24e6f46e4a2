export interface Notification {
  incidentId: string;
  /**
   * Stakeholder groups or people, as the runbook and the workflows name them: a group name
   * (`exec-staff`, `group:eng-managers`) or a person (`ic:alice`, `user:dave`, `alice`).
   */
  audience: string[];
  subject: string;
  text: string;
  /**
   * The same key means the same message: a retry after a crash between sending and recording must not
   * reach people twice. Providers that can deduplicate do; the others at least log it.
   */
  idempotencyKey?: string;
}

/** Where stakeholder updates and reminders go: the local inbox, or the directory's channels. */
export interface Notifier {
  notify(notification: Notification): Promise<{ delivered: string }>;
}

/**
 * One channel a notification goes through. Holds no secret: a Teams URL or a webhook secret is named by
 * its environment variable and read by the worker that delivers.
 */
export type DeliveryTarget =
  /** The local inbox (notifications.jsonl and the log): recipients without a configured channel. */
  | { kind: 'local' }
  | { kind: 'email'; to: string }
  /** A channel id (C…/G…) posted by the bot, or a user id (U…/W…): a direct message. */
  | { kind: 'slack'; channel: string }
  | { kind: 'teams'; urlFrom: string }
  | { kind: 'webhook'; url?: string; urlFrom?: string; secretFrom: string };

export interface PlannedDelivery {
  /** Idempotency key of this notification through this channel: stable across retries and crashes. */
  key: string;
  /** The audience entries (groups, people) this channel serves. */
  recipients: string[];
  target: DeliveryTarget;
  /** For the timeline and the log: `e-mail to maria`, `Slack C0123ABCD`, `Teams (TEAMS_EXEC_WEBHOOK)`; no secret. */
  label: string;
}

export interface NotificationPlan {
  /** The notification's own key: its idempotencyKey, else one the activity derived. */
  key: string;
  deliveries: PlannedDelivery[];
}

export interface DeliveryOutcome {
  key: string;
  recipients: string[];
  label: string;
  /** `unconfirmed`: a worker died during its send; it may have arrived and is not sent again. */
  status: 'delivered' | 'unconfirmed' | 'failed';
  /** `delivered`, `already delivered`, why it is unconfirmed, or why it failed (redacted, no URL or secret). */
  detail: string;
}
