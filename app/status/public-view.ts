// What the public status page shows of an incident, and nothing more: the title the IC published, the
// public status updates, when it started and when it was resolved. Everything else in the state (the
// internal title, the timeline, the runbook, steps, people, internal updates) is left behind here, so
// the page, the feed and the JSON can only render what this returns. Pure.
import type { IncidentState } from '../../workflows/types.js';

export type PublicState = 'investigating' | 'mitigated' | 'resolved';

export interface PublicUpdate {
  /** `U3`: with the incident id, stable for the feed. */
  id: string;
  at: string;
  text: string;
  impact?: string;
}

export interface PublicIncident {
  id: string;
  title: string;
  state: PublicState;
  /** The impact as the latest public update that gave one put it. */
  impact?: string;
  startedAt: string;
  resolvedAt?: string;
  /** The latest of its start, its public updates and its resolution: the data's own time, never the clock. */
  updatedAt: string;
  /** Newest first. */
  updates: PublicUpdate[];
}

export interface StatusDocument {
  /** Open ones first, then the most recently started. */
  incidents: PublicIncident[];
  /** The latest `updatedAt`; the epoch when nothing is published. */
  updatedAt: string;
}

const RESOLVED: readonly IncidentState['status'][] = ['resolved', 'postmortem', 'closed'];

/** The incident as the public may see it; undefined unless it was published. */
export function publicIncidentOf(state: IncidentState): PublicIncident | undefined {
  const listing = state.publicListing;
  if (!listing) return undefined;
  const updates = (state.updates ?? [])
    .filter((u) => u.visibility === 'public')
    .map((u): PublicUpdate => ({ id: u.id, at: u.at, text: u.text, ...(u.impact ? { impact: u.impact } : {}) }))
    .sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id, 'en', { numeric: true }));
  const resolvedAt = RESOLVED.includes(state.status) ? state.resolvedAt : undefined;
  const startedAt = listing.since || state.declaredAt;
  const impact = updates.find((u) => u.impact)?.impact;
  return {
    id: state.id,
    title: listing.title,
    state: resolvedAt ? 'resolved' : state.mitigatedAt ? 'mitigated' : 'investigating',
    ...(impact ? { impact } : {}),
    startedAt,
    ...(resolvedAt ? { resolvedAt } : {}),
    updatedAt: latest([startedAt, ...updates.map((u) => u.at), ...(resolvedAt ? [resolvedAt] : [])]),
    updates,
  };
}

/** The page's content from the published incidents' states (the others are dropped). */
export function statusDocumentOf(states: IncidentState[]): StatusDocument {
  const incidents = states
    .map(publicIncidentOf)
    .filter((i): i is PublicIncident => i !== undefined)
    .sort(
      (a, b) =>
        Number(a.state === 'resolved') - Number(b.state === 'resolved') || b.startedAt.localeCompare(a.startedAt),
    );
  return { incidents, updatedAt: latest(incidents.map((i) => i.updatedAt)) };
}

function latest(times: string[]): string {
  const max = Math.max(0, ...times.map((t) => Date.parse(t)).filter((t) => !Number.isNaN(t)));
  return new Date(max).toISOString();
}
