export interface Notification {
  incidentId: string;
  /** Stakeholder groups or people, as the runbook names them. */
  audience: string[];
  subject: string;
  text: string;
}

/** Where stakeholder updates and reminders go: the console locally, Slack and e-mail later. */
export interface Notifier {
  notify(notification: Notification): Promise<{ delivered: string }>;
}
