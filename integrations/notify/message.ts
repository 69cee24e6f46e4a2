/** A notification as one channel sends it: already redacted, with the delivery's idempotency key. */
export interface OutgoingMessage {
  incidentId: string;
  subject: string;
  text: string;
  /** The audience entries this channel serves (groups, people). */
  recipients: string[];
  key: string;
}
