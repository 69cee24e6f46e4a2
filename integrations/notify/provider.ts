export interface Notification {
  incidentId: string;
  /** Stakeholder groups or people, as the runbook names them. */
  audience: string[];
  subject: string;
  text: string;
  /**
   * The same key means the same message: a retry after a crash between sending and recording must not
   * reach people twice. Providers that can deduplicate do; the others at least log it.
   */
  idempotencyKey?: string;
}

/** Where stakeholder updates and reminders go: the console locally, Slack and e-mail later. */
export interface Notifier {
  notify(notification: Notification): Promise<{ delivered: string }>;
}
