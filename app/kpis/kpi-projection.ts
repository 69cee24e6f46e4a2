// The KPI inputs of recent incidents, held in memory, so that /api/kpis of any window it covers and
// /metrics are computed from memory, with no visibility list on the request path; each answer says as
// of when its data is (`asOf`).
// Kept correct from visibility alone, so it is the same on every instance and after a restart (it
// starts empty, and requests list visibility until the first refresh): a refresh lists only the
// incidents whose IncidentChangedAt (set with every change they publish) is at or after the previous
// refresh's start, less an overlap for visibility's lag, the upserting task's run time and clock skew
// between hosts; every `fullEveryMs` it lists every incident again and replaces the set, which bounds
// any drift (an incident deleted by retention, a change missed past the overlap) to that interval.
// A window reaching further back than the projection holds, or data older than `maxAgeMs` (refreshes
// failing), is not answered here: the caller lists visibility for the request instead.
// The figures are as of the refresh (its `asOf` is the window's end), so each window is computed once
// per refresh and every request and scrape until the next one shares that answer: at 10,000 incidents a
// computation takes about 40 ms (of the KPI thread's event loop, in the product: kpi-thread.ts).
import { computeKpis, DEFAULT_REPEAT_WINDOW_MS, type KpiIncident } from './compute.js';
import { kpiWindowStart, type KpiWindow } from './kpi-window.js';
import type { WindowKpis } from './read-kpis.js';

/**
 * Answers kept per refresh. The default window is one of them; the rest are whatever `since` callers
 * send, so few are kept (an answer holds each mitigation of the window: about 1 MB at 10,000).
 */
const ANSWERS_KEPT = 8;

export interface KpiListing {
  incidents: KpiIncident[];
  unreadable: string[];
  /** Those without a read summary, queried instead. */
  queried: string[];
}

export interface KpiProjectionOptions {
  /** The incidents declared since `since` (app/incident-service.ts declaredSince), those changed since `changedSince` alone if given. */
  list: (since: Date, changedSince?: Date) => Promise<KpiListing>;
  /** The longest KPI window answered from memory (the repeat look-back before it is held too). */
  windowMs: number;
  /** Older data is not served. */
  maxAgeMs: number;
  /** How often every incident is listed again. */
  fullEveryMs: number;
  /** How far before the previous refresh's start a change is listed again. */
  overlapMs: number;
  clock?: () => Date;
}

/** What the last refresh listed: every incident, or the changes. */
export interface RefreshReport {
  kind: 'full' | 'changes';
  listed: number;
}

interface Held {
  incidents: Map<string, KpiIncident>;
  unreadable: Set<string>;
  /** Held from a query (no read summary when last listed). */
  queried: Set<string>;
  /** Incidents declared since this instant are held. */
  from: number;
  /** When the listing behind the data started. */
  asOf: Date;
  fullAt: number;
  /** By the window's start, in the order computed. */
  answers: Map<number, WindowKpis>;
}

export class KpiProjection {
  private held: Held | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly clock: () => Date;
  lastRefresh: RefreshReport | undefined;

  constructor(private readonly options: KpiProjectionOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Lists the changes (or everything, when due) and applies them; one at a time, a call during one waits for it. */
  refresh(): Promise<void> {
    this.refreshing ??= this.relist().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** The KPIs of the window, as of the last refresh (shared: not to be changed); undefined when not held (see above). */
  kpis(window: KpiWindow, now: Date): WindowKpis | undefined {
    const held = this.held;
    if (!held || now.getTime() - held.asOf.getTime() > this.options.maxAgeMs) return undefined;
    const since = kpiWindowStart(window, held.asOf);
    if (since.getTime() - DEFAULT_REPEAT_WINDOW_MS < held.from) return undefined;
    const kept = held.answers.get(since.getTime());
    if (kept) return kept;
    const answer = {
      kpis: computeKpis([...held.incidents.values()], { now: held.asOf, since }),
      unreadable: [...held.unreadable],
      read: held.incidents.size,
      queried: held.queried.size,
      asOf: held.asOf,
    };
    if (held.answers.size >= ANSWERS_KEPT) held.answers.delete(held.answers.keys().next().value!);
    held.answers.set(since.getTime(), answer);
    return answer;
  }

  private async relist(): Promise<void> {
    const asOf = this.clock();
    const from = asOf.getTime() - this.options.windowMs - DEFAULT_REPEAT_WINDOW_MS;
    const previous = this.held;
    if (!previous || asOf.getTime() - previous.fullAt >= this.options.fullEveryMs) {
      const listing = await this.options.list(new Date(from));
      this.held = {
        incidents: new Map(listing.incidents.map((incident) => [incident.id, incident])),
        unreadable: new Set(listing.unreadable),
        queried: new Set(listing.queried.filter((id) => !listing.unreadable.includes(id))),
        from,
        asOf,
        fullAt: asOf.getTime(),
        answers: new Map(),
      };
      this.lastRefresh = { kind: 'full', listed: listing.incidents.length + listing.unreadable.length };
      return;
    }
    const changes = await this.options.list(new Date(from), new Date(previous.asOf.getTime() - this.options.overlapMs));
    const queried = new Set(changes.queried);
    for (const incident of changes.incidents) {
      previous.incidents.set(incident.id, incident);
      previous.unreadable.delete(incident.id);
      // One queried before has published its summary since: it is read from visibility now.
      if (queried.has(incident.id)) previous.queried.add(incident.id);
      else previous.queried.delete(incident.id);
    }
    for (const id of changes.unreadable) previous.unreadable.add(id);
    for (const [id, incident] of previous.incidents)
      if (Date.parse(incident.declaredAt) < from) {
        previous.incidents.delete(id);
        previous.queried.delete(id);
      }
    this.held = { ...previous, from, asOf, answers: new Map() };
    this.lastRefresh = { kind: 'changes', listed: changes.incidents.length + changes.unreadable.length };
  }
}
