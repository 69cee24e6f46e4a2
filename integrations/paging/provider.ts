import type { Severity } from '../../runbooks/vocabulary.js';
import { ServiceBusy, ServiceRefused } from '../service-errors.js';

export interface Page {
  /** Also the deduplication key: paging the same incident again never opens a second page. */
  incidentId: string;
  /** On-call rotations, as the runbook names them. */
  targets: string[];
  severity: Severity;
  summary: string;
}

/** What happened to a page after it was sent: the IC took the incident, or it was resolved. */
export interface PageUpdate {
  incidentId: string;
  action: 'acknowledge' | 'resolve';
}

/** Wakes the on-call humans: the server log locally, PagerDuty once configured. */
export interface Pager {
  trigger(page: Page): Promise<{ delivered: string }>;
  /** Follows the incident: stops the page escalating once the IC has it, closes it on resolution. */
  update(update: PageUpdate): Promise<{ delivered: string }>;
}

/** The paging service refused the event as it is (bad routing key, invalid payload): retrying will not help. */
export class PageRefused extends ServiceRefused {
  override name = 'PageRefused';
}

/** The paging service asked us to slow down. */
export class PagingServiceBusy extends ServiceBusy {
  override name = 'PagingServiceBusy';
}
