// What the public status page reads, at most once per `ttlMs` however many ask: the published incidents
// from visibility (one list, app/incident-index.ts), then a state query of each of those few (at most
// `limit`), so an unauthenticated page can never make the workers replay every incident.
import type { IncidentState } from '../../workflows/types.js';
import { statusDocumentOf, type StatusDocument } from './public-view.js';

export interface StatusBoardSource {
  publishedIds(options: { limit: number; resolvedSince: Date }): Promise<string[]>;
  get(id: string): Promise<IncidentState>;
}

export interface StatusBoardOptions {
  /** How long an answer is served before visibility is asked again. */
  ttlMs?: number;
  /** The most recent published incidents shown. */
  limit?: number;
  /** How long a resolved incident stays on the page. */
  resolvedForMs?: number;
  now?: () => number;
}

const QUERIES_AT_ONCE = 8;

export class StatusBoard {
  private cached: { at: number; doc: Promise<StatusDocument> } | undefined;
  private readonly ttlMs: number;
  private readonly limit: number;
  private readonly resolvedForMs: number;
  private readonly now: () => number;

  constructor(
    private readonly source: StatusBoardSource,
    options: StatusBoardOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.limit = options.limit ?? 50;
    this.resolvedForMs = options.resolvedForMs ?? 7 * 86_400_000;
    this.now = options.now ?? Date.now;
  }

  /** The page's content, as of at most `ttlMs` ago; a failed read is not kept. */
  current(): Promise<StatusDocument> {
    const now = this.now();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.doc;
    const doc = this.read(now);
    const entry = { at: now, doc };
    this.cached = entry;
    doc.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return doc;
  }

  private async read(now: number): Promise<StatusDocument> {
    const ids = await this.source.publishedIds({
      limit: this.limit,
      resolvedSince: new Date(now - this.resolvedForMs),
    });
    const states: IncidentState[] = [];
    for (let i = 0; i < ids.length; i += QUERIES_AT_ONCE) {
      // One that cannot be read now (its worker busy, just closed) is left off this answer, not the page.
      const results = await Promise.allSettled(ids.slice(i, i + QUERIES_AT_ONCE).map((id) => this.source.get(id)));
      for (const result of results) if (result.status === 'fulfilled') states.push(result.value);
    }
    return statusDocumentOf(states);
  }
}
