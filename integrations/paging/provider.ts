import type { Severity } from '../../workflows/model.js';

export interface Page {
  /** Also the deduplication key: paging the same incident again never opens a second page. */
  incidentId: string;
  /** On-call rotations, as the runbook names them. */
  targets: string[];
  severity: Severity;
  summary: string;
}

/** Wakes the on-call humans: the server log locally, PagerDuty once configured. */
export interface Pager {
  trigger(page: Page): Promise<{ delivered: string }>;
}
