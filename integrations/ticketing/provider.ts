import type { ActionKind, Severity, Ticket } from '../../workflows/model.js';

export interface TicketRequest {
  /** `<incident id>/<action id>`: the provider finds an existing ticket by it, so retries never file twice. */
  externalId: string;
  incidentId: string;
  title: string;
  body: string;
  kind: ActionKind;
  severity: Severity;
  owner: string;
  dueAt: string;
  labels: string[];
}

export interface TicketStatus {
  ticket: Ticket;
  closed: boolean;
  closedBy?: string;
  closedAt?: string;
}

/** Where corrective actions are tracked: a local file by default, GitHub Issues or Jira once configured. */
export interface TicketProvider {
  readonly name: string;
  /** How often an action polls its ticket; unset when closures reach us as webhooks (or through our API). */
  readonly pollEvery?: string;
  /** Returns the ticket already filed for `externalId` if there is one; otherwise files it. */
  open(request: TicketRequest): Promise<Ticket>;
  status(ticket: Ticket): Promise<TicketStatus>;
  /** Trackers we own (the local one) close tickets for the API; the others are closed in their own UI. */
  close?(key: string, by: string): Promise<TicketStatus>;
}

/** The label that ties a ticket to its corrective action: how retries find it, and how webhooks route it. */
export const actionLabel = (externalId: string) => `incident-action:${externalId}`;
export const externalIdOf = (label: string) => (label.startsWith('incident-action:') ? label.slice('incident-action:'.length) : undefined);
