// The visibility query of an incident list: filters become comparisons of search attributes. A value
// is never spliced in raw: statuses and severities come from their vocabularies, and a free-text value
// (runbook, commander, service) is refused if it holds a quote, a backslash or a control character,
// so it cannot end its string literal and add to the query (Temporal's list filter has no bind
// parameters).
import { FailureType } from '../workflows/failures.js';
import {
  IncidentAffectedService,
  IncidentCommander,
  IncidentDeclaredAt,
  IncidentFlags,
  IncidentResolvedAt,
  IncidentRunbook,
  IncidentSeverity,
  IncidentStatus,
} from '../workflows/search-attributes.js';
import { INCIDENT_STATUSES, SEVERITIES, type IncidentStatus as Status, type Severity } from '../workflows/types.js';
import { incidentWorkflow } from '../workflows/incident/workflow.js';
import { IncidentError } from './incident-error.js';
import type { IncidentFlag } from '../workflows/read-model.js';

/** `open`: not closed (the default); `all`: closed too; or one status. */
export const LIST_STATUSES = ['open', 'all', ...INCIDENT_STATUSES] as const;
export type ListStatus = (typeof LIST_STATUSES)[number];

export interface IncidentFilter {
  status?: ListStatus;
  severity?: Severity;
  runbook?: string;
  commander?: string;
  service?: string;
  /** Declared at or after. */
  since?: Date;
}

/** What a free-text filter value may not contain. */
export const UNSAFE_IN_QUERY = /['"\\`\p{Cc}]/u;
export const MAX_FILTER_LENGTH = 200;

export function incidentQuery(filter: IncidentFilter): string {
  const clauses = [incidentRuns()];
  const status = filter.status ?? 'open';
  if (!(LIST_STATUSES as readonly string[]).includes(status)) refuse('status', `no status "${status}"`);
  // Open means not closed: a workflow also runs on through its undo window after the incident closed.
  if (status === 'open') clauses.push(`${IncidentStatus.name} != 'closed'`);
  else if (status !== 'all') clauses.push(`${IncidentStatus.name} = '${status satisfies Status}'`);
  if (filter.severity !== undefined) {
    if (!SEVERITIES.includes(filter.severity)) refuse('severity', `no severity "${filter.severity}"`);
    clauses.push(`${IncidentSeverity.name} = '${filter.severity}'`);
  }
  if (filter.runbook !== undefined) clauses.push(`${IncidentRunbook.name} = ${literal('runbook', filter.runbook)}`);
  if (filter.commander !== undefined)
    clauses.push(`${IncidentCommander.name} = ${literal('commander', filter.commander)}`);
  if (filter.service !== undefined)
    clauses.push(`${IncidentAffectedService.name} = ${literal('service', filter.service)}`);
  if (filter.since !== undefined) clauses.push(declaredSince(filter.since));
  return clauses.join(' AND ');
}

/**
 * Incident workflows, the current run of each: a run that continued as new is closed with the
 * attributes it had then, and its successor carries the incident on.
 */
export function incidentRuns(): string {
  return `WorkflowType = '${incidentWorkflow.name}' AND ExecutionStatus != 'ContinuedAsNew'`;
}

/** Published incidents (workflows/read-model.ts `published`) not resolved, or resolved at or after `resolvedSince`. */
export function publishedQuery(resolvedSince: Date): string {
  const published: IncidentFlag = 'published';
  return `${incidentRuns()} AND ${IncidentFlags.name} = '${published}' AND (${IncidentResolvedAt.name} IS NULL OR ${IncidentResolvedAt.name} >= '${resolvedSince.toISOString()}')`;
}

/**
 * Declared at or after `since`. An incident that has not yet published IncidentDeclaredAt (declared a
 * moment ago, or running from before the read side) is judged by its run's start.
 */
export function declaredSince(since: Date): string {
  const at = since.toISOString();
  return `(${IncidentDeclaredAt.name} >= '${at}' OR (${IncidentDeclaredAt.name} IS NULL AND StartTime >= '${at}'))`;
}

function literal(field: string, value: string): string {
  if (value.length === 0 || value.length > MAX_FILTER_LENGTH)
    refuse(field, `must be 1 to ${MAX_FILTER_LENGTH} characters`);
  if (UNSAFE_IN_QUERY.test(value)) refuse(field, 'may not contain quotes, backslashes or control characters');
  return `'${value}'`;
}

function refuse(field: string, message: string): never {
  throw new IncidentError(FailureType.invalid, `${field} ${message}`, field);
}
