// The read side of incidents: lists, pages and the KPIs' inputs, answered from Temporal's visibility
// store (search attributes and the read summary each incident keeps in its memo, workflows/read-model.ts),
// never by querying an incident. The only exception is an incident from before the read side that
// has not published a summary yet: the KPIs query it, and name it if that fails.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { FailureType } from '../workflows/failures.js';
import { readSummaryFromMemo, type ReadSummary } from '../workflows/read-model.js';
import {
  IncidentAffectedService,
  IncidentCategory,
  IncidentChangedAt,
  IncidentCommander,
  IncidentDeclaredAt,
  IncidentFlags,
  IncidentMitigatedAt,
  IncidentOpenActions,
  IncidentResolvedAt,
  IncidentRunbook,
  IncidentSeverity,
  IncidentStatus,
} from '../workflows/search-attributes.js';
import type { IncidentState } from '../workflows/types.js';
import type { KpiIncident } from './kpis/compute.js';
import { IncidentError, translate } from './incident-error.js';
import { declaredSince, incidentQuery, incidentRuns, publishedQuery, type IncidentFilter } from './incident-query.js';
import { listAll, listPage } from './temporal/visibility-page.js';

export interface IncidentSummary {
  id: string;
  title: string;
  severity?: string;
  status?: string;
  category?: string;
  commander?: string;
  service?: string;
  runbook?: string;
  declaredAt: string;
  mitigatedAt?: string;
  resolvedAt?: string;
  /** Not closed, and its workflow runs. */
  open: boolean;
  /** Steps awaiting a decision (unknown for an incident that has not published a summary yet). */
  pendingSteps?: number;
  openActions?: number;
  flags: string[];
}

export interface IncidentPage {
  incidents: IncidentSummary[];
  /** The cursor of the next page; absent on the last. */
  next?: string;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
/** Pages of the full listings behind the KPIs. */
const BULK_PAGE_SIZE = 1000;
/** Legacy incidents queried at once: each query of a closed one replays its history on a worker. */
const QUERY_BATCH = 8;
const CURSOR = /^[A-Za-z0-9_-]{1,4096}$/;
// gRPC INVALID_ARGUMENT: the server refused the page token.
const INVALID_ARGUMENT = 3;

export class IncidentIndex {
  constructor(
    private readonly client: Client,
    /** An incident's state by query: only for incidents without a read summary (see above). */
    private readonly queryState: (id: string) => Promise<IncidentState>,
  ) {}

  /** One page, in visibility's order (running workflows first, newest first). `cursor` is a previous page's `next`. */
  async page(filter: IncidentFilter, { limit = DEFAULT_PAGE_SIZE, cursor }: { limit?: number; cursor?: string } = {}) {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
      throw new IncidentError(FailureType.invalid, `limit must be 1 to ${MAX_PAGE_SIZE}`, 'limit');
    const query = incidentQuery(filter);
    try {
      const page = await listPage(this.client, {
        query,
        pageSize: limit,
        ...(cursor !== undefined ? { nextPageToken: decodeCursor(cursor) } : {}),
      });
      return {
        incidents: page.executions.map(summaryOf),
        ...(page.nextPageToken ? { next: Buffer.from(page.nextPageToken).toString('base64url') } : {}),
      } satisfies IncidentPage;
    } catch (err) {
      if (cursor !== undefined && grpcCode(err) === INVALID_ARGUMENT)
        throw new IncidentError(FailureType.invalid, 'cursor is not one this list gave out', 'cursor');
      throw translate(err);
    }
  }

  /**
   * The ids of the incidents on the public status page: published (the `published` flag), open or
   * resolved since `resolvedSince`, the `limit` most recent in visibility's order. One page, no query.
   */
  async published({ limit, resolvedSince }: { limit: number; resolvedSince: Date }): Promise<string[]> {
    try {
      const page = await listPage(this.client, { query: publishedQuery(resolvedSince), pageSize: limit });
      return page.executions.map((info) => info.workflowId);
    } catch (err) {
      throw translate(err);
    }
  }

  /** Every incident the filter matches, page after page. */
  async all(filter: IncidentFilter): Promise<IncidentSummary[]> {
    const incidents: IncidentSummary[] = [];
    try {
      for await (const info of listAll(this.client, incidentQuery(filter), BULK_PAGE_SIZE))
        incidents.push(summaryOf(info));
    } catch (err) {
      throw translate(err);
    }
    return incidents;
  }

  /**
   * The KPIs' input: every incident declared since `since`, open or closed (within the namespace's
   * retention), from one paginated list. One without a read summary is queried instead (named in
   * `queried`); one whose query fails is named in `unreadable` too. With `changedSince`, only those that published a change
   * (IncidentChangedAt) at or after it.
   */
  async kpiIncidents(
    since: Date,
    changedSince?: Date,
  ): Promise<{ incidents: KpiIncident[]; unreadable: string[]; queried: string[] }> {
    const incidents: KpiIncident[] = [];
    const legacy: string[] = [];
    const seen = new Set<string>();
    try {
      // An incident started since then that has not published yet (its first workflow task still queued) is listed too.
      const changed = changedSince
        ? ` AND (${IncidentChangedAt.name} >= ${changedSince.getTime()} OR (${IncidentChangedAt.name} IS NULL AND StartTime >= '${changedSince.toISOString()}'))`
        : '';
      const query = `${incidentRuns()} AND ${declaredSince(since)}${changed}`;
      for await (const info of listAll(this.client, query, BULK_PAGE_SIZE)) {
        if (seen.has(info.workflowId)) continue;
        seen.add(info.workflowId);
        const summary = readSummaryFromMemo(info.memo);
        if (summary) incidents.push(kpiIncidentOf(info.workflowId, summary));
        else legacy.push(info.workflowId);
      }
    } catch (err) {
      throw translate(err);
    }
    const unreadable: string[] = [];
    for (let i = 0; i < legacy.length; i += QUERY_BATCH) {
      const batch = legacy.slice(i, i + QUERY_BATCH);
      const results = await Promise.allSettled(batch.map((id) => this.queryState(id)));
      results.forEach((result, j) =>
        result.status === 'fulfilled' ? incidents.push(result.value) : unreadable.push(batch[j]!),
      );
    }
    return { incidents, unreadable, queried: legacy };
  }
}

export function kpiIncidentOf(id: string, summary: ReadSummary): KpiIncident {
  const { runbook, v: _version, pendingSteps: _pending, ...rest } = summary;
  return { id, ...rest, ...(runbook !== undefined ? { runbook: { id: runbook } } : {}) };
}

function summaryOf(info: WorkflowExecutionInfo): IncidentSummary {
  const attributes = info.typedSearchAttributes;
  const summary = readSummaryFromMemo(info.memo);
  const status = attributes.get(IncidentStatus);
  const optional = {
    severity: attributes.get(IncidentSeverity),
    status,
    category: attributes.get(IncidentCategory),
    commander: attributes.get(IncidentCommander),
    service: attributes.get(IncidentAffectedService),
    runbook: attributes.get(IncidentRunbook),
    mitigatedAt: attributes.get(IncidentMitigatedAt)?.toISOString(),
    resolvedAt: attributes.get(IncidentResolvedAt)?.toISOString(),
    pendingSteps: summary?.pendingSteps,
    openActions: attributes.get(IncidentOpenActions),
  };
  return {
    id: info.workflowId,
    title: typeof info.memo?.title === 'string' ? info.memo.title : '',
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    declaredAt: (attributes.get(IncidentDeclaredAt) ?? info.startTime).toISOString(),
    open: status !== 'closed' && info.status.name === 'RUNNING',
    flags: attributes.get(IncidentFlags) ?? [],
  };
}

function decodeCursor(cursor: string): Uint8Array {
  if (!CURSOR.test(cursor))
    throw new IncidentError(FailureType.invalid, 'cursor must be the `next` of a previous page', 'cursor');
  return Buffer.from(cursor, 'base64url');
}

function grpcCode(err: unknown): number | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'number' ? cause.code : undefined;
}
