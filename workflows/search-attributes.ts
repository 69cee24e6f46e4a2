import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// What Temporal's visibility store indexes of each incident, kept current by the workflow
// (workflows/read-model.ts): the list, its filters and the KPIs are answered from a list of these,
// with no query of any incident. Within the dev server's caps (10 Keyword, 3 of each other type):
// 6 Keyword, 3 Datetime, 3 Int, 1 KeywordList. Times that need no range filter (detected,
// acknowledged, closed), the actions' due dates and the breach verdicts are in the `kpi` memo and
// the IncidentFlags list.
export const IncidentSeverity = defineSearchAttributeKey('IncidentSeverity', SearchAttributeType.KEYWORD);
export const IncidentStatus = defineSearchAttributeKey('IncidentStatus', SearchAttributeType.KEYWORD);
export const IncidentCategory = defineSearchAttributeKey('IncidentCategory', SearchAttributeType.KEYWORD);
export const IncidentCommander = defineSearchAttributeKey('IncidentCommander', SearchAttributeType.KEYWORD);
/** The AI feature or service affected (`declare --service`); named so beside the IncidentService class. */
export const IncidentAffectedService = defineSearchAttributeKey('IncidentAffectedService', SearchAttributeType.KEYWORD);
/** The id of the runbook the incident runs. */
export const IncidentRunbook = defineSearchAttributeKey('IncidentRunbook', SearchAttributeType.KEYWORD);
/** The declaration (the workflow's own clock); StartTime is the current run's start, which continue-as-new moves. */
export const IncidentDeclaredAt = defineSearchAttributeKey('IncidentDeclaredAt', SearchAttributeType.DATETIME);
export const IncidentMitigatedAt = defineSearchAttributeKey('IncidentMitigatedAt', SearchAttributeType.DATETIME);
export const IncidentResolvedAt = defineSearchAttributeKey('IncidentResolvedAt', SearchAttributeType.DATETIME);
/** Whole seconds from declaration to mitigation, once mitigated. */
export const IncidentTimeToMitigate = defineSearchAttributeKey('IncidentTimeToMitigate', SearchAttributeType.INT);
/** Corrective actions neither closed nor waived. */
export const IncidentOpenActions = defineSearchAttributeKey('IncidentOpenActions', SearchAttributeType.INT);
/**
 * The earliest due date of an open action, in Unix seconds (unset when none is open): an incident
 * has overdue actions when it is in the past, a fact no workflow event marks.
 */
export const IncidentNextActionDue = defineSearchAttributeKey('IncidentNextActionDue', SearchAttributeType.INT);
/** Milestones and verdicts, each a word: acknowledged, mitigated, target-breached … (read-model.ts INCIDENT_FLAGS). */
export const IncidentFlags = defineSearchAttributeKey('IncidentFlags', SearchAttributeType.KEYWORD_LIST);
/**
 * When the incident last published a change to its attributes or read summary, in Unix milliseconds (the
 * workflow's clock), so that the KPI projection lists only what changed since its last refresh. A Double:
 * the dev server takes three Datetime attributes, all used above.
 */
export const IncidentChangedAt = defineSearchAttributeKey('IncidentChangedAt', SearchAttributeType.DOUBLE);

/** Registered on the embedded dev server at start (`--search-attribute`); on a cluster, see the README. */
export const incidentSearchAttributes = [
  IncidentSeverity,
  IncidentStatus,
  IncidentCategory,
  IncidentCommander,
  IncidentAffectedService,
  IncidentRunbook,
  IncidentDeclaredAt,
  IncidentMitigatedAt,
  IncidentResolvedAt,
  IncidentTimeToMitigate,
  IncidentOpenActions,
  IncidentNextActionDue,
  IncidentFlags,
  IncidentChangedAt,
];

/** How every incident workflow starts, from the API or from an alert intake: its id names one incident forever. */
export function incidentStartOptions(input: {
  id: string;
  title: string;
  severity: string;
  category: string;
  commander: string;
  fingerprint?: string;
  alertGroup?: string;
}) {
  return {
    workflowId: input.id,
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    // Set at start too, so a list taken a moment after the declaration already shows them.
    // An alert group's incident carries its group, so a retried start knows the incident is its own.
    memo: {
      title: input.title,
      ...(input.alertGroup ? { alertGroup: input.alertGroup, fingerprint: input.fingerprint } : {}),
    },
    typedSearchAttributes: [
      { key: IncidentSeverity, value: input.severity },
      { key: IncidentStatus, value: 'declared' },
      { key: IncidentCategory, value: input.category },
      { key: IncidentCommander, value: input.commander },
    ],
  };
}
