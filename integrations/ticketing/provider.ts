import type { ActionKind, Severity } from '../../runbooks/vocabulary.js';

/** Where an incident's ticket lives in a tracker. */
export interface Ticket {
  provider: string;
  key: string;
  url?: string;
}

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

/** The incident's own ticket: its record where the team tracks work, with the postmortem attached at the end. */
export interface RecordRequest {
  incidentId: string;
  title: string;
  body: string;
  severity: Severity;
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
  /** Returns the incident's record already filed (found by its label) if there is one; otherwise files it. */
  openRecord(request: RecordRequest): Promise<Ticket>;
  /** Adds a comment once: when a comment carrying `marker` is already there, nothing is added. */
  comment(ticket: Ticket, marker: string, text: string): Promise<void>;
  /** Closes the incident's record as done; closing a closed one changes nothing. */
  closeRecord(ticket: Ticket): Promise<void>;
}

/** The label that ties a ticket to its corrective action: how retries find it, and how webhooks route it. */
export const actionLabel = (externalId: string) => `incident-action:${externalId}`;
export const recordLabel = (incidentId: string) => `incident-record:${incidentId}`;
/** How a comment says which of ours it is, so a retried comment is found instead of posted twice. */
export const commentMarker = (marker: string) => `incident-response:${marker}`;
export const externalIdOf = (label: string) =>
  label.startsWith('incident-action:') ? label.slice('incident-action:'.length) : undefined;
